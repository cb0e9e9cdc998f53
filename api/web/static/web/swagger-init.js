// Swagger UI on /docs (api/web/docs.py), started from this served file rather than an inline
// script, so that the page keeps the pages' policy (no inline script). The schema's address
// comes from the page's #swagger-ui element (data-spec-url). validatorUrl null: Swagger UI
// would otherwise ask validator.swagger.io, outside the service, about the schema.
"use strict";
(() => {
  const root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: root.dataset.specUrl,
    dom_id: "#swagger-ui",
    layout: "BaseLayout",
    deepLinking: true,
    showExtensions: true,
    showCommonExtensions: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
  });
})();
