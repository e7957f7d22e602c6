package serve

import (
	"io/fs"
	"net/http"
	"strings"

	swaggerfiles "github.com/swaggo/files/v2"
)

// docsPage is the Swagger UI page. Its scripts and styles are Swagger UI's
// own files, embedded in the binary (github.com/swaggo/files/v2) and served
// under /docs/, so the page works without any network access.
const docsPage = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>credit-risk API</title>
<link rel="stylesheet" href="/docs/swagger-ui.css">
<link rel="icon" type="image/png" href="/docs/favicon-32x32.png" sizes="32x32">
<style>body { margin: 0; }</style>
</head>
<body>
<div id="swagger-ui"></div>
<script src="/docs/swagger-ui-bundle.js"></script>
<script src="/docs/swagger-ui-standalone-preset.js"></script>
<script src="/docs/init.js"></script>
</body>
</html>
`

// docsInit starts Swagger UI on the server's own document. It is a file,
// not inline script, so a strict Content-Security-Policy can hold. It runs
// as soon as it is loaded, not on window.onload: the page's scripts come
// after the #swagger-ui element and load in order, so the element and
// Swagger UI are there, and the document is fetched without waiting for
// the favicon and the rest of the page.
const docsInit = `window.ui = SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  validatorUrl: null,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
  plugins: [SwaggerUIBundle.plugins.DownloadUrl],
  layout: "StandaloneLayout"
});
`

// docsAssets are the Swagger UI files served; source maps and the
// upstream demo page are left out.
var docsAssets = map[string]string{
	"swagger-ui.css":                  "text/css; charset=utf-8",
	"swagger-ui-bundle.js":            "text/javascript; charset=utf-8",
	"swagger-ui-standalone-preset.js": "text/javascript; charset=utf-8",
	"favicon-16x16.png":               "image/png",
	"favicon-32x32.png":               "image/png",
}

// docsHandler serves /docs (the page) and /docs/<asset>.
func docsHandler() http.Handler {
	files := map[string][]byte{}
	for name := range docsAssets {
		b, err := fs.ReadFile(swaggerfiles.FS, name)
		if err != nil {
			panic("serve: swagger ui asset " + name + " missing from the embedded files: " + err.Error())
		}
		files[name] = b
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		name := strings.TrimPrefix(strings.TrimPrefix(r.URL.Path, "/docs"), "/")
		switch name {
		case "", "index.html":
			h.Set("Content-Type", "text/html; charset=utf-8")
			h.Set("Cache-Control", "no-cache")
			w.Write([]byte(docsPage))
			return
		case "init.js":
			h.Set("Content-Type", "text/javascript; charset=utf-8")
			h.Set("Cache-Control", "no-cache")
			w.Write([]byte(docsInit))
			return
		}
		b, ok := files[name]
		if !ok {
			writeProblem(w, r, &Problem{Code: ProblemNotFound, Detail: "no documentation file " + r.URL.Path})
			return
		}
		h.Set("Content-Type", docsAssets[name])
		h.Set("Cache-Control", "public, max-age=86400")
		w.Write(b)
	})
}

func (s *Server) handleDocs(w http.ResponseWriter, r *http.Request, _ *loaded) {
	s.docsH.ServeHTTP(w, r)
}
