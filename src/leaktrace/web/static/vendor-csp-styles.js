// ReDoc's styled-components writes its CSS through <style> elements, which the strict
// Content-Security-Policy (style-src 'self') leaves without a stylesheet. Constructed stylesheets are
// not inline styles: each <style> made here gets one, adopted by the document, and the rules land there.
(() => {
  if (!("adoptedStyleSheets" in Document.prototype) || typeof CSSStyleSheet !== "function") return;
  const create = document.createElement.bind(document);
  document.createElement = (name, options) => {
    const element = create(name, options);
    if (String(name).toLowerCase() === "style") {
      const sheet = new CSSStyleSheet();
      document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
      Object.defineProperty(element, "sheet", { get: () => sheet });
    }
    return element;
  };
})();
