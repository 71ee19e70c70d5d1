// Starts Swagger UI or ReDoc (vendored under /static/vendor) on the page's spec URL: no inline script, no CDN.
(() => {
  const swagger = document.getElementById("swagger-ui");
  if (swagger && window.SwaggerUIBundle) {
    window.SwaggerUIBundle({
      url: swagger.dataset.specUrl,
      domNode: swagger,
      deepLinking: true,
      validatorUrl: null, // no badge from validator.swagger.io
      presets: [window.SwaggerUIBundle.presets.apis],
      layout: "BaseLayout",
    });
  }
  const redoc = document.getElementById("redoc");
  if (redoc && window.Redoc) {
    window.Redoc.init(redoc.dataset.specUrl, { disableSearch: true } /* its search runs in a blob: worker, which the CSP forbids */, redoc);
  }
})();
