package sample

// The tables in this file are read-only after package initialisation.

// state is one addr_state value with its share of loans and the three-digit
// ZIP prefixes (inclusive ranges) that belong to it.
type state struct {
	code   string
	weight float64
	zips   [][2]int
}

// states: shares roughly follow LC's book (large states dominate); ZIP
// prefixes follow the USPS allocation.
var states = []state{
	{"CA", 14.5, [][2]int{{900, 961}}},
	{"NY", 8.4, [][2]int{{100, 149}}},
	{"TX", 8.0, [][2]int{{750, 799}, {885, 885}}},
	{"FL", 7.0, [][2]int{{320, 349}}},
	{"IL", 3.9, [][2]int{{600, 629}}},
	{"NJ", 3.6, [][2]int{{70, 89}}},
	{"PA", 3.5, [][2]int{{150, 196}}},
	{"OH", 3.3, [][2]int{{430, 459}}},
	{"GA", 3.3, [][2]int{{300, 319}, {398, 399}}},
	{"VA", 2.9, [][2]int{{201, 201}, {220, 246}}},
	{"NC", 2.8, [][2]int{{270, 289}}},
	{"MI", 2.6, [][2]int{{480, 499}}},
	{"MD", 2.4, [][2]int{{206, 219}}},
	{"MA", 2.3, [][2]int{{10, 27}}},
	{"AZ", 2.3, [][2]int{{850, 865}}},
	{"WA", 2.1, [][2]int{{980, 994}}},
	{"CO", 2.1, [][2]int{{800, 816}}},
	{"MN", 1.8, [][2]int{{550, 567}}},
	{"MO", 1.6, [][2]int{{630, 658}}},
	{"IN", 1.6, [][2]int{{460, 479}}},
	{"CT", 1.5, [][2]int{{60, 69}}},
	{"TN", 1.5, [][2]int{{370, 385}}},
	{"NV", 1.4, [][2]int{{889, 898}}},
	{"WI", 1.3, [][2]int{{530, 549}}},
	{"AL", 1.2, [][2]int{{350, 369}}},
	{"OR", 1.2, [][2]int{{970, 979}}},
	{"SC", 1.2, [][2]int{{290, 299}}},
	{"LA", 1.1, [][2]int{{700, 714}}},
	{"KY", 0.97, [][2]int{{400, 427}}},
	{"OK", 0.91, [][2]int{{730, 749}}},
	{"KS", 0.84, [][2]int{{660, 679}}},
	{"AR", 0.75, [][2]int{{716, 729}}},
	{"UT", 0.72, [][2]int{{840, 847}}},
	{"NM", 0.55, [][2]int{{870, 884}}},
	{"HI", 0.5, [][2]int{{967, 968}}},
	{"NH", 0.49, [][2]int{{30, 38}}},
	{"RI", 0.44, [][2]int{{28, 29}}},
	{"MS", 0.43, [][2]int{{386, 397}}},
	{"WV", 0.37, [][2]int{{247, 268}}},
	{"MT", 0.29, [][2]int{{590, 599}}},
	{"DE", 0.28, [][2]int{{197, 199}}},
	{"DC", 0.26, [][2]int{{200, 200}, {202, 205}}},
	{"AK", 0.25, [][2]int{{995, 999}}},
	{"WY", 0.23, [][2]int{{820, 831}}},
	{"SD", 0.2, [][2]int{{570, 577}}},
	{"VT", 0.2, [][2]int{{50, 59}}},
	{"NE", 0.12, [][2]int{{680, 693}}},
	{"ME", 0.12, [][2]int{{39, 49}}},
	{"ND", 0.1, [][2]int{{580, 588}}},
	{"ID", 0.05, [][2]int{{832, 838}}},
}

// purpose is one purpose value with its share, its effect on the default
// log-odds, its effect on log loan amount, LC's standard title (used from
// mid-2013 on) and free-text titles borrowers typed before that.
type purpose struct {
	name     string
	weight   float64
	risk     float64
	amount   float64
	standard string
	free     []string
}

var purposes = []purpose{
	{"debt_consolidation", 58, 0.05, 0.08, "Debt consolidation", []string{
		"Debt Consolidation", "Debt Consolidation Loan", "Consolidation", "debt consolidation",
		"Consolidate", "Debt consolidation", "Consolidation Loan", "Pay off debt", "Debt Free",
		"Bill Consolidation", "Freedom", "My Loan", "Loan", "debt", "Get out of debt"}},
	{"credit_card", 21.5, -0.1, 0.05, "Credit card refinancing", []string{
		"Credit Card Consolidation", "Credit Card Loan", "Credit Card Payoff",
		"Credit Card Refinance", "Credit Cards", "cc payoff", "Pay off credit cards",
		"Credit card debt", "CC Refi"}},
	{"home_improvement", 6.2, -0.03, 0.05, "Home improvement", []string{
		"Home Improvement", "Home Improvement Loan", "home improvement", "Kitchen remodel",
		"New roof", "Bathroom Remodel", "Pool", "Home repairs"}},
	{"other", 5.5, 0.15, -0.35, "Other", []string{
		"Personal Loan", "Personal", "personal loan", "Other Loan", "Loan", "Taxes",
		"Personal Expenses", "Help", "Family"}},
	{"major_purchase", 2.2, -0.05, -0.25, "Major purchase", []string{
		"Major Purchase Loan", "Furniture", "Engagement Ring", "Purchase", "Appliances"}},
	{"small_business", 1.3, 0.6, 0.15, "Business", []string{
		"Small Business Loan", "Business Loan", "Business Expansion", "Start up",
		"Working capital", "Inventory", "Equipment"}},
	{"car", 1.1, -0.15, -0.45, "Car financing", []string{
		"Car Loan", "Auto Loan", "car loan", "Motorcycle", "Truck", "Used car"}},
	{"medical", 1.1, 0.18, -0.5, "Medical expenses", []string{
		"Medical", "Medical Bills", "Dental work", "Surgery", "medical"}},
	{"moving", 0.75, 0.2, -0.55, "Moving and relocation", []string{
		"Moving Loan", "Relocation", "Moving expenses", "Moving"}},
	{"vacation", 0.6, 0.05, -0.75, "Vacation", []string{
		"Vacation Loan", "Honeymoon", "Trip", "vacation"}},
	{"house", 0.55, 0.15, 0.0, "Home buying", []string{
		"House Down Payment", "Down payment", "New Home", "Closing costs"}},
	{"wedding", 0.35, -0.15, -0.2, "Wedding", []string{
		"Wedding Loan", "Wedding Expenses", "wedding", "Our Wedding"}},
	{"renewable_energy", 0.08, 0.2, -0.3, "Green loan", []string{
		"Solar Panels", "Solar", "Green energy"}},
	{"educational", 0.07, 0.3, -0.6, "Learning and training", []string{
		"Student Loan", "Education", "School", "Tuition"}},
}

// empLengths are emp_length values by years of employment: index 0 is
// "< 1 year", 10 is "10+ years"; "n/a" is written for a missing length.
var empLengths = [11]string{
	"< 1 year", "1 year", "2 years", "3 years", "4 years", "5 years",
	"6 years", "7 years", "8 years", "9 years", "10+ years",
}

// empLengthWeights are the shares of empLengths; the rest is "n/a".
var empLengthWeights = [11]float64{8.5, 6.8, 9.0, 8.0, 6.0, 6.3, 4.9, 4.8, 4.6, 3.9, 32.7}

// empLengthRisk is the default log-odds effect of each empLengths entry.
var empLengthRisk = [11]float64{0.12, 0.05, 0.0, 0.0, -0.02, -0.02, -0.03, -0.03, -0.04, -0.04, -0.08}

// jobTitles are lower-case occupations for emp_title.
var jobTitles = []string{
	"teacher", "manager", "registered nurse", "rn", "supervisor", "sales", "project manager",
	"owner", "driver", "office manager", "general manager", "director", "engineer",
	"truck driver", "operations manager", "police officer", "sales manager", "store manager",
	"nurse", "accountant", "administrative assistant", "president", "software engineer",
	"account manager", "technician", "mechanic", "customer service", "analyst",
	"assistant manager", "vice president", "attorney", "server", "electrician",
	"program manager", "executive assistant", "branch manager", "operator", "paralegal",
	"pharmacist", "consultant", "bookkeeper", "cashier", "maintenance", "foreman",
	"controller", "business analyst", "warehouse associate", "medical assistant",
	"social worker", "professor", "firefighter", "machine operator", "lpn",
	"account executive", "financial analyst", "physician", "dental hygienist", "chef",
	"mail carrier", "laborer", "welder", "security officer", "it manager",
	"senior software engineer", "instructor", "clerk", "carpenter", "plumber",
	"flight attendant", "pilot", "case manager", "service manager", "property manager",
	"hr manager", "loan officer", "realtor", "cook", "bartender", "receptionist",
	"production supervisor", "quality assurance", "lead", "team leader",
	"respiratory therapist", "physical therapist", "pharmacy technician",
	"correctional officer", "deputy sheriff", "dispatcher", "estimator", "underwriter",
	"systems administrator", "network engineer", "data analyst", "scientist",
	"manager, operations", "director, sales", "sr. analyst", "admin asst",
}

// employers are lower-case employer names for emp_title.
var employers = []string{
	"us army", "bank of america", "walmart", "at&t", "self employed", "kaiser permanente",
	"ibm", "wells fargo", "us navy", "us air force", "verizon", "jp morgan chase",
	"home depot", "target", "ups", "fedex", "usps", "lowes", "costco", "starbucks",
	"state of california", "county of los angeles", "new york city department of education",
	"united states postal service", "department of veterans affairs", "microsoft",
	"lockheed martin", "boeing", "general electric", "northrop grumman", "citigroup",
	"the home depot", "best buy", "comcast", "t-mobile", "sprint", "apple", "google",
	"mayo clinic", "cleveland clinic", "johns hopkins hospital", "school district",
	"public schools", "city of chicago", "united airlines", "american airlines",
	"delta air lines", "southwest airlines", "nordstrom", "macy's", "kroger", "safeway",
	"walgreens", "cvs pharmacy", "state farm", "allstate", "geico", "progressive",
	"accenture", "deloitte", "pwc", "ernst & young", "raytheon", "general motors",
	"ford motor company", "toyota", "honda", "intel", "cisco", "oracle", "dell",
	"hewlett packard", "amazon", "walmart, inc.", "wal-mart stores, inc.",
	"department of defense", "u.s. department of justice", "fairfax county public schools",
	"university of california", "university of michigan", "texas a&m university",
	"baylor health care system", "hca", "tenet healthcare", "dignity health",
	"smith & associates, llc", "johnson, miller & co",
}

// descSentences make up desc texts. Some contain commas and double quotes.
var descSentences = []string{
	"I would like to consolidate my credit card debt at a lower interest rate.",
	"I plan to use the funds to pay off my credit cards and close the accounts.",
	"I have a stable job and have never missed a payment.",
	"This loan will help me pay off high interest debt, lower my monthly payments, and save money.",
	"I have been with my employer for over 5 years.",
	"My goal is to be debt free in 3 years.",
	"The card companies raised my rates even though I always pay on time.",
	"I am a responsible borrower, and my credit report shows it.",
	"I'm looking to finish some repairs on my home before winter.",
	"We are planning our wedding and want to pay the vendors up front.",
	"I want to get out from under the \"minimum payment\" trap.",
	"Funds will be used for inventory and equipment for my business.",
	"My monthly budget leaves plenty of room for this payment.",
	"I need a reliable car to get to work.",
	"Thank you for considering my loan request!",
	"Medical bills from last year, plus some dental work, need to be paid off.",
	"I am moving for a new job and need help with the deposit and moving costs.",
	"My wife and I both work full time; combined income is higher than listed.",
	"Paying off a \"same as cash\" account before the promotional rate expires.",
	"Please feel free to ask any questions.",
}

// homeOther are rare home_ownership values.
var homeOther = []string{"OTHER", "NONE", "ANY"}
