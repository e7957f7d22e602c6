package serve

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/credit-risk/credit-risk/internal/apikey"
	"github.com/credit-risk/credit-risk/internal/features"
	"github.com/credit-risk/credit-risk/internal/serve/wire"
)

// obj is a JSON object of the OpenAPI document under construction.
type obj = map[string]any

// buildOpenAPI builds the OpenAPI 3.1 document of a loaded model: the
// application schema lists the model's raw input fields with their types,
// valid ranges, training ranges, examples and the required list.
//
// The public document (public true), served when the server has no API
// keys and MODEL_INFO_FULL is off, leaves out what helps game the model,
// as the public /model/info does: the threshold, the valid and training
// ranges and the levels of each input.
func buildOpenAPI(l *loaded, build BuildInfo, public bool) ([]byte, error) {
	p := l.model.Pipeline
	props := obj{}
	var required []string
	example := obj{}
	for i := range p.Inputs {
		in := &p.Inputs[i]
		props[in.Name] = inputSchema(in, public)
		if in.Required {
			required = append(required, in.Name)
		}
		if in.Stats.Example != "" {
			example[in.Name] = in.Stats.Example
		}
	}
	thresholdText := fmt.Sprintf(", threshold %g", l.model.Threshold)
	if public {
		thresholdText = ""
	}
	application := obj{
		"type":        "object",
		"description": "A raw loan application with the lender's field names and formats (Lending Club layout for the built-in spec). Values may be sent as the lender exports them (\" 36 months\", \"10.65%\", \"10+ years\", \"Dec-2011\") or as plain numbers. Fields the model does not read are ignored and listed in ignored_fields. null or an absent field is missing: required fields must be present; optional ones are imputed the way training did.",
		"properties":  props,
		"required":    required,
		"additionalProperties": obj{
			"description": "Ignored: listed in the response's ignored_fields.",
		},
		"example": example,
	}
	problem := obj{
		"type":        "object",
		"description": "An RFC 9457 problem document. type is " + problemTypeBase + "<code>, one of: " + problemCodes() + ".",
		"required":    []string{"type", "title", "status", "detail"},
		"properties": obj{
			"type":     obj{"type": "string", "format": "uri", "example": problemTypeBase + ProblemInvalid},
			"title":    obj{"type": "string"},
			"status":   obj{"type": "integer"},
			"detail":   obj{"type": "string"},
			"instance": obj{"type": "string"},
			"errors":   obj{"type": "array", "items": ref("FieldError")},
		},
		"example": obj{
			"type": problemTypeBase + ProblemInvalid, "title": problemTable[ProblemInvalid].title,
			"status": problemTable[ProblemInvalid].status, "detail": invalidDetail(1), "instance": "/predict",
			"errors": []obj{{"field": "annual_inc", "problem": wire.ProblemDuplicate, "detail": "appears more than once in the application; send each field once"}},
		},
	}
	outsideTraining := obj{
		"type":     "object",
		"required": []string{"field", "value", "scored_as", "detail"},
		"description": "A value scored although outside what the model saw in training (the field's range policy is clamp): " +
			"a number outside the training range is scored as its nearest bound; a number between the few values of a field " +
			"(term) or an unseen level is scored as it is.",
		"properties": obj{
			"field":     obj{"type": "string"},
			"value":     obj{"type": []string{"number", "string"}, "description": "The value sent, as parsed."},
			"scored_as": obj{"type": []string{"number", "string"}, "description": "The value the model scored."},
			"detail":    obj{"type": "string"},
		},
	}
	fieldError := obj{
		"type":     "object",
		"required": []string{"field", "problem", "detail"},
		"properties": obj{
			"field": obj{"type": "string", "description": "The application field (or request part) with the problem."},
			"problem": obj{"type": "string", "enum": []string{
				features.ProblemMissing, features.ProblemType, features.ProblemSyntax,
				features.ProblemRange, features.ProblemNotFinite, features.ProblemEnum,
				wire.ProblemDuplicate, ProblemTrainingRange, ProblemImplausible,
			}},
			"detail": obj{"type": "string"},
		},
	}
	decisionProps := obj{
		"prediction":          obj{"type": "integer", "enum": []int{0, 1}, "description": "1 when default_probability >= threshold (predicted default: decline), else 0."},
		"default_probability": obj{"type": "number", "minimum": 0, "maximum": 1, "description": "Calibrated probability of default (PD)."},
		"status":              obj{"type": "string", "enum": []string{StatusApproved, StatusDeclined}, "description": "The decision at the model's threshold: approved (prediction 0) or declined (prediction 1)."},
		"adverse_action": obj{"type": "array", "items": ref("AdverseReason"), "maxItems": MaxReasonsMax,
			"description": "Declined applications only: the principal reasons for the decline, at most REASONS_MAX (default 4), the strongest first (equal ones by code). Each names an application field: the contributions of everything derived from a field (engineered features, encodings, missing and special-value indicators) are summed onto it, and only fields that pushed toward decline are reasons. Codes and statements come from the model's reason-code catalogue (the dataset spec's reasons); a field without one is named by itself."},
		"disclosure": ref("Disclosure"),
		"score":      obj{"type": "integer", "description": "A scorecard model's score in points (higher is safer); default_probability is read from it. Absent for other models."},
		"points":     obj{"type": "array", "items": ref("Points"), "description": "With ?explain=true and a scorecard model: each characteristic's points and points lost against its maximum, most points lost first."},
	}
	prediction := obj{
		"type":     "object",
		"required": []string{"prediction", "default_probability", "status", "model_version", "threshold"},
		"properties": merge(decisionProps, obj{
			"model_version":       obj{"type": "string", "description": "The model file's version id, e.g. gbdt_v3."},
			"threshold":           obj{"type": "number", "description": "The model's decision threshold on default_probability."},
			"reasons":             obj{"type": "array", "items": ref("Reason"), "description": "With ?explain=true: the features that raised the PD most, largest first."},
			"field_contributions": obj{"type": "array", "items": ref("FieldContribution"), "description": "With ?explain=true: the same contributions summed onto the application fields they derive from, the fields that raised the PD most first."},
			"ignored_fields":      obj{"type": "array", "items": obj{"type": "string"}, "description": "Fields of the request the model does not read."},
			"outside_training":    obj{"type": "array", "items": ref("OutsideTraining"), "description": "Values scored although outside what training saw (range policy clamp)."},
		}),
	}
	reason := obj{
		"type":     "object",
		"required": []string{"feature", "value", "contribution"},
		"properties": obj{
			"feature":      obj{"type": "string", "description": "Model feature (see /model/info features), or for a scorecard its characteristic."},
			"value":        obj{"type": []string{"number", "null"}, "description": "The feature's value for this application, after the pipeline."},
			"contribution": obj{"type": "number", "description": "Its contribution to the model's margin (log-odds for boosted trees and logistic regression, probability for a random forest): exact TreeSHAP or linear term."},
		},
	}
	adverseReason := obj{
		"type":     "object",
		"required": []string{"code", "reason", "field"},
		"properties": obj{
			"code":   obj{"type": "string", "description": "The reason's stable code in the catalogue (the field's name when it has no entry)."},
			"reason": obj{"type": "string", "description": "The statement a notice gives, e.g. \"Income insufficient for amount of credit requested\"; a field the application did not give has its \"insufficient information\" reason."},
			"field":  obj{"type": "string", "description": "The application field the reason names (when fields share the code, the one that contributed most)."},
		},
	}
	disclosure := obj{
		"type":        "object",
		"required":    []string{"score", "score_type", "score_range"},
		"description": "Declined applications only: the score the decision used, for the notice.",
		"properties": obj{
			"score":       obj{"type": "number", "description": "The score: the calibrated PD (equal to default_probability)."},
			"score_type":  obj{"type": "string", "enum": []string{disclosureScoreType}},
			"score_range": obj{"type": "array", "items": obj{"type": "number"}, "minItems": 2, "maxItems": 2, "description": "The lowest and highest score possible."},
		},
	}
	fieldContribution := obj{
		"type":     "object",
		"required": []string{"field", "contribution"},
		"properties": obj{
			"field":        obj{"type": "string", "description": "An application field."},
			"contribution": obj{"type": "number", "description": "The summed contributions of the features derived from it (a derived feature of n fields gives each 1/n)."},
		},
	}
	pointsSchema := obj{
		"type":     "object",
		"required": []string{"characteristic", "bin", "points", "max_points", "points_lost"},
		"properties": obj{
			"characteristic": obj{"type": "string", "description": "The scorecard characteristic (an application input)."},
			"bin":            obj{"type": "string", "description": "The bin the application's value fell in, as the scorecard table labels it."},
			"points":         obj{"type": "integer", "description": "The points of that bin."},
			"max_points":     obj{"type": "integer", "description": "The most points any bin of the characteristic gives."},
			"points_lost":    obj{"type": "integer", "description": "max_points − points: the adverse-action ranking of a scorecard."},
		},
	}
	batchItem := obj{
		"type":     "object",
		"required": []string{"index"},
		"properties": merge(decisionProps, obj{
			"index":               obj{"type": "integer", "description": "Position of the application in the request."},
			"reasons":             obj{"type": "array", "items": ref("Reason")},
			"field_contributions": obj{"type": "array", "items": ref("FieldContribution")},
			"outside_training":    obj{"type": "array", "items": ref("OutsideTraining")},
			"error":               ref("Problem"),
		}),
		"description": "Either the decision fields or, for an application that cannot be scored, error.",
	}
	batchResponse := obj{
		"type":     "object",
		"required": []string{"model_version", "threshold", "count", "errors", "results"},
		"properties": obj{
			"model_version":  obj{"type": "string"},
			"threshold":      obj{"type": "number"},
			"count":          obj{"type": "integer"},
			"errors":         obj{"type": "integer", "description": "Applications that could not be scored."},
			"results":        obj{"type": "array", "items": ref("BatchItem")},
			"ignored_fields": obj{"type": "array", "items": obj{"type": "string"}},
		},
	}
	batchRequest := obj{
		"type":     "object",
		"required": []string{"applications"},
		"properties": obj{
			"applications": obj{"type": "array", "items": ref("Application")},
		},
		"example": obj{"applications": []any{example}},
	}
	problems := func(codes ...int) obj {
		out := obj{}
		for _, c := range codes {
			out[fmt.Sprint(c)] = obj{
				"description": problemDescription(c),
				"content":     obj{contentTypeProblem: obj{"schema": ref("Problem")}},
			}
		}
		return out
	}
	jsonContent := func(schema any) obj { return obj{"application/json": obj{"schema": schema}} }
	explain := obj{
		"name": "explain", "in": "query", "required": false,
		"description": "Add reason codes: the features that raised the PD most.",
		"schema":      obj{"type": "boolean", "default": false},
	}
	predictResponses := merge(obj{"200": obj{"description": "The decision.", "content": jsonContent(ref("Prediction"))}}, problems(400, 408, 413, 415, 422, 503))
	batchResponses := merge(obj{"200": obj{"description": "One result per application, in order; applications that cannot be scored carry an error.", "content": jsonContent(ref("BatchResponse"))}}, problems(400, 408, 413, 415, 422, 503))
	looseJSON := obj{"type": "object"}
	doc := obj{
		"openapi": "3.1.0",
		"info": obj{
			"title":   "credit-risk API",
			"version": build.Version,
			"description": fmt.Sprintf("Scores loan applications with the champion credit-risk model: the probability of default and the decision at the model's threshold.\n\n"+
				"Serving model **%s** (%s, %d inputs, %d features%s). The application schema below is generated from that model's feature pipeline and follows it on every reload.\n\n"+
				"Errors are RFC 9457 problem documents (application/problem+json) listing every field problem.",
				l.version, l.meta.Algorithm, len(p.Inputs), len(p.Features), thresholdText),
		},
		"tags": []any{
			obj{"name": "scoring", "description": "Score raw loan applications."},
			obj{"name": "model", "description": "The serving model and its input schema."},
			obj{"name": "operations", "description": "Health, readiness, metrics and statistics."},
		},
		"paths": obj{
			"/predict": obj{"post": obj{
				"summary":     "Score one application",
				"operationId": "predict", "tags": []string{"scoring"},
				"parameters":  []any{explain},
				"requestBody": obj{"required": true, "content": jsonContent(ref("Application"))},
				"responses":   predictResponses,
			}},
			"/predict/batch": obj{"post": obj{
				"summary":     "Score many applications",
				"operationId": "predictBatch", "tags": []string{"scoring"},
				"description": "Scores up to MAX_BATCH_SIZE applications in parallel. Each application gets its own result or error; the response is 200 unless the request as a whole is wrong.",
				"parameters":  []any{explain},
				"requestBody": obj{"required": true, "content": jsonContent(ref("BatchRequest"))},
				"responses":   batchResponses,
			}},
			"/health": obj{"get": obj{
				"summary": "Liveness", "operationId": "health", "tags": []string{"operations"},
				"responses": obj{"200": obj{"description": "The process is up.", "content": jsonContent(looseJSON)}},
			}},
			"/ready": obj{"get": obj{
				"summary": "Readiness: a valid model is loaded", "operationId": "ready", "tags": []string{"operations"},
				"responses": merge(obj{"200": obj{"description": "Ready to score.", "content": jsonContent(looseJSON)}}, problems(503)),
			}},
			"/model/info": obj{"get": obj{
				"summary": "The serving model: version, algorithm, metrics, threshold, inputs with types and ranges, features, build", "operationId": "modelInfo", "tags": []string{"model"},
				"responses": merge(obj{"200": obj{"description": "Model information.", "content": jsonContent(looseJSON)}}, problems(503)),
			}},
			"/stats": obj{"get": obj{
				"summary": "Request counts, error rate, latency quantiles, predictions, reloads and drift", "operationId": "stats", "tags": []string{"operations"},
				"responses": obj{"200": obj{"description": "Statistics since start.", "content": jsonContent(looseJSON)}},
			}},
			"/metrics": obj{"get": obj{
				"summary": "Prometheus metrics", "operationId": "metrics", "tags": []string{"operations"},
				"responses": obj{"200": obj{"description": "Prometheus text exposition format.", "content": obj{"text/plain": obj{"schema": obj{"type": "string"}}}}},
			}},
			"/openapi.json": obj{"get": obj{
				"summary": "This document", "operationId": "openapi", "tags": []string{"model"},
				"responses": obj{"200": obj{"description": "OpenAPI 3.1 document.", "content": jsonContent(looseJSON)}},
			}},
		},
		"components": obj{"securitySchemes": obj{
			"bearer":            obj{"type": "http", "scheme": "bearer", "description": "An API key as a bearer token (credit-risk-api keys add)."},
			"apiKey":            obj{"type": "apiKey", "in": "header", "name": "X-API-Key", "description": "An API key in the X-API-Key header."},
			"clientCertificate": obj{"type": "mutualTLS", "description": "A client certificate verified against the server's client CAs (TLS_CLIENT_CA_FILE) whose common name or a subject alternative name is an API key's client_cert (credit-risk-api keys add --client-cert)."},
		}, "schemas": obj{
			"Application":       application,
			"Prediction":        prediction,
			"Reason":            reason,
			"AdverseReason":     adverseReason,
			"Disclosure":        disclosure,
			"FieldContribution": fieldContribution,
			"BatchRequest":      batchRequest,
			"BatchResponse":     batchResponse,
			"BatchItem":         batchItem,
			"Problem":           problem,
			"OutsideTraining":   outsideTraining,
			"FieldError":        fieldError,
			"Points":            pointsSchema,
		}},
	}
	// The scopes each operation needs when the server has API keys.
	paths := doc["paths"].(obj)
	for _, op := range []struct {
		path, method, scope string
	}{
		{"/predict", "post", apikey.ScopeScore}, {"/predict/batch", "post", apikey.ScopeScore},
		{"/model/info", "get", apikey.ScopeModelRead}, {"/stats", "get", apikey.ScopeModelRead}, {"/openapi.json", "get", apikey.ScopeModelRead},
	} {
		o := paths[op.path].(obj)[op.method].(obj)
		scopes := []string{op.scope}
		if op.scope == apikey.ScopeScore {
			d, _ := o["description"].(string)
			o["description"] = strings.TrimSpace(d + " Needs the score scope; ?explain=true needs explain as well.")
		}
		o["security"] = []any{obj{"bearer": scopes}, obj{"apiKey": scopes}, obj{"clientCertificate": scopes}}
		o["responses"] = merge(o["responses"].(obj), problems(401, 403, 429))
	}
	return json.Marshal(doc)
}

func ref(name string) obj { return obj{"$ref": "#/components/schemas/" + name} }

func merge(a, b obj) obj {
	out := make(obj, len(a)+len(b))
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}

// problemCodes lists the problem codes with their statuses, from
// problemTable: "body-too-large (413), …".
func problemCodes() string {
	var out []string
	for _, code := range slices.Sorted(maps.Keys(problemTable)) {
		out = append(out, fmt.Sprintf("%s (%d)", code, problemTable[code].status))
	}
	return strings.Join(out, ", ")
}

func problemDescription(status int) string {
	switch status {
	case 400:
		return "The body is not JSON, not a JSON object, or ended before its Content-Length."
	case 408:
		return "The body did not arrive within the server's read timeout."
	case 415:
		return "The body is not declared as JSON (Content-Type: application/json), or is compressed (Content-Encoding)."
	case 413:
		return "The body, or the number of applications, is over the limit (MAX_BATCH_SIZE, or a batch larger than the client's rate limit burst)."
	case 422:
		return "One or more fields have problems; all are listed in errors."
	case 503:
		return "No valid model is loaded."
	case 401:
		return "No valid API key (when the server has API keys): send one as Authorization: Bearer <key> or X-API-Key: <key>."
	case 403:
		return "The API key lacks the scope the request needs."
	case 429:
		return "The API key is over its rate limit; Retry-After says when to retry."
	}
	return "Error."
}

// inputSchema is the JSON Schema of one raw input field.
func inputSchema(in *features.Input, public bool) obj {
	var desc []string
	sch := obj{}
	switch kind := in.Kind; {
	case public && kind == features.KindNumeric:
		sch["type"] = []string{"number", "string", "null"}
		desc = append(desc, "A number, or text the "+string(in.Parser)+" parser reads"+parserHint(string(in.Parser))+".")
	case public && kind == features.KindOrdinal:
		sch["type"] = []string{"string", "null"}
		desc = append(desc, "One of the model's ordered levels.")
	case public && kind == features.KindCategorical:
		sch["type"] = []string{"string", "null"}
	}
	if !public || in.Kind == features.KindDate {
		switch in.Kind {
		case features.KindNumeric:
			sch["type"] = []string{"number", "string", "null"}
			desc = append(desc, "A number, or text the "+string(in.Parser)+" parser reads"+parserHint(string(in.Parser))+".")
			if in.Min != nil {
				sch["minimum"] = *in.Min
			}
			if in.Max != nil {
				sch["maximum"] = *in.Max
			}
			if in.Min != nil || in.Max != nil {
				desc = append(desc, "Valid range "+rangeText(in.Min, in.Max)+"; outside it is a 422.")
			}
			if in.Stats.Min != nil && in.Stats.Max != nil {
				sch["x-training-range"] = []float64{*in.Stats.Min, *in.Stats.Max}
				desc = append(desc, fmt.Sprintf("Seen in training: %g to %g.", *in.Stats.Min, *in.Stats.Max))
			}
		case features.KindDate:
			sch["type"] = []string{"string", "null"}
			desc = append(desc, fmt.Sprintf("A date in the layout %q (Go layout; e.g. Dec-2011 for Jan-2006).", in.Layout))
		case features.KindOrdinal:
			sch["type"] = []string{"string", "null"}
			enum := make([]any, 0, len(in.Order)+1)
			for _, o := range in.Order {
				enum = append(enum, o)
			}
			sch["enum"] = append(enum, nil)
			desc = append(desc, "One of the ordered levels "+strings.Join(in.Order, ", ")+" (lowest first).")
		case features.KindCategorical:
			sch["type"] = []string{"string", "null"}
			if len(in.Stats.Levels) > 0 {
				sch["examples"] = in.Stats.Levels
				desc = append(desc, "Levels seen in training: "+strings.Join(in.Stats.Levels, ", ")+"; any other level is scored as a rare level.")
			}
		}
	}
	if in.Required {
		desc = append(desc, "Required.")
	} else {
		desc = append(desc, fmt.Sprintf("Optional: missing in %.1f%% of training loans, imputed when absent.", 100*in.Stats.MissingShare))
	}
	if in.Stats.Example != "" {
		sch["example"] = in.Stats.Example
	}
	sch["description"] = strings.Join(desc, " ")
	return sch
}

func parserHint(parser string) string {
	switch parser {
	case "percent":
		return ` ("10.65%" or 10.65)`
	case "months":
		return ` (" 36 months" or 36)`
	case "years":
		return ` ("10+ years", "< 1 year", "3 years")`
	case "number":
		return ` ("1,250.50" or 1250.5)`
	}
	return ""
}

func rangeText(lo, hi *float64) string {
	a, b := "-∞", "+∞"
	if lo != nil {
		a = fmt.Sprint(*lo)
	}
	if hi != nil {
		b = fmt.Sprint(*hi)
	}
	return "[" + a + ", " + b + "]"
}
