/// The opening of pvemend's self-contained HTML pages (the plan's review page, the runbook): the
/// document head with the Content-Security-Policy that lets the browser fetch nothing, the inline
/// style, then `<body><main>`. The title goes through `DisplayText.escapeHTML`.
package enum HTMLPage {
  package static func opening(title: String, style: String) -> [String] {
    [
      "<!DOCTYPE html>",
      "<html lang=\"en\">",
      "<head>",
      "<meta charset=\"utf-8\">",
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">",
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">",
      "<meta name=\"color-scheme\" content=\"light dark\">",
      "<title>\(DisplayText.escapeHTML(title))</title>",
      "<style>\n\(style)</style>",
      "</head>",
      "<body>",
      "<main>",
    ]
  }
}
