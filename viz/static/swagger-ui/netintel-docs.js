/* netintel /docs: Swagger UI (swagger-ui-dist 5, bundled, Apache-2.0) over the app's own OpenAPI 3.1 schema.
   Loaded as a file (no inline script), nothing from another origin. */
window.addEventListener("DOMContentLoaded", function () {
  window.ui = SwaggerUIBundle({
    url: "/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    persistAuthorization: false,
    tryItOutEnabled: false
  });
});
