// Starts Swagger UI on /docs (web/api_docs.py) for the OpenAPI document the page names.
(function () {
  var root = document.getElementById("swagger-ui");
  window.ui = window.SwaggerUIBundle({
    url: root.getAttribute("data-openapi"),
    dom_id: "#swagger-ui",
    deepLinking: true,
  });
})();
