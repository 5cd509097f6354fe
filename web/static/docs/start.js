// The API reference: Swagger UI (swagger-ui-dist 5.35.0, Apache-2.0, vendored here) on this
// server's own OpenAPI document. A file of its own: the Content-Security-Policy allows no inline script.
window.addEventListener("DOMContentLoaded", () => {
  window.ui = SwaggerUIBundle({ url: "/schema/openapi.json", dom_id: "#reference", deepLinking: true,
                               validatorUrl: null });  // no badge fetched from elsewhere
});
