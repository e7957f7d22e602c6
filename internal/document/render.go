package document

import (
	"fmt"
	"html/template"
	"io"
	"strings"
)

// WriteMarkdown writes d as Markdown: numbered sections, pipe tables.
func WriteMarkdown(w io.Writer, d *Document) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n\n%s\n", d.Title, d.Subtitle)
	for i, s := range d.Sections {
		fmt.Fprintf(&b, "\n## %d. %s\n", i+1, s.Title)
		for _, p := range s.Paragraphs {
			fmt.Fprintf(&b, "\n%s\n", p)
		}
		for _, t := range s.Tables {
			b.WriteString("\n")
			if t.Caption != "" {
				fmt.Fprintf(&b, "**%s**\n\n", t.Caption)
			}
			b.WriteString("| " + strings.Join(mdCells(t.Header), " | ") + " |\n")
			b.WriteString("|" + strings.Repeat("---|", len(t.Header)) + "\n")
			for _, r := range t.Rows {
				b.WriteString("| " + strings.Join(mdCells(r), " | ") + " |\n")
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// mdCells escapes the pipes and line breaks of table cells.
func mdCells(cells []string) []string {
	out := make([]string, len(cells))
	for i, c := range cells {
		out[i] = strings.NewReplacer("|", `\|`, "\n", " ").Replace(c)
	}
	return out
}

// WriteHTML writes d as one self-contained HTML page: inline style, no
// script, no external asset.
func WriteHTML(w io.Writer, d *Document) error {
	return page.Execute(w, d)
}

var page = template.Must(template.New("document").Funcs(template.FuncMap{"inc": func(i int) int { return i + 1 }}).Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>
body { font: 15px/1.5 system-ui, sans-serif; max-width: 62rem; margin: 2rem auto; padding: 0 1rem; color: #1d2430; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; } .sub { color: #5a6473; margin-top: 0; }
h2 { font-size: 1.2rem; border-bottom: 1px solid #d8dde5; padding-bottom: .2rem; margin-top: 2rem; }
table { border-collapse: collapse; margin: .8rem 0; font-size: .9rem; }
caption { text-align: left; font-weight: 600; padding-bottom: .3rem; }
th, td { border: 1px solid #d8dde5; padding: .25rem .6rem; text-align: left; vertical-align: top; }
th { background: #f1f4f8; }
nav ol { columns: 2; }
@media print { nav { display: none; } }
</style>
</head>
<body>
<h1>{{.Title}}</h1>
<p class="sub">{{.Subtitle}}</p>
<nav><ol>{{range $i, $s := .Sections}}<li><a href="#s{{inc $i}}">{{$s.Title}}</a></li>{{end}}</ol></nav>
{{range $i, $s := .Sections}}
<h2 id="s{{inc $i}}">{{inc $i}}. {{$s.Title}}</h2>
{{range $s.Paragraphs}}<p>{{.}}</p>
{{end}}{{range $s.Tables}}<table>{{if .Caption}}<caption>{{.Caption}}</caption>{{end}}
<thead><tr>{{range .Header}}<th>{{.}}</th>{{end}}</tr></thead>
<tbody>{{range .Rows}}<tr>{{range .}}<td>{{.}}</td>{{end}}</tr>
{{end}}</tbody></table>
{{end}}{{end}}
</body>
</html>
`))
