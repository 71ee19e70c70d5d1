// Busy state and no double submit, for every form marked data-busy="Working text…".
// Without JavaScript the forms post as usual; with it, the first submit disables the button and says
// what is running, and any later submit of that form is refused until the answer is in.
// A form that answers with a file (data-download: reports, copies, zips) keeps the page, so it is
// sent with fetch: the file is saved when it has arrived and the form is usable again; any other
// answer (an error page, the form shown again with a message) replaces the page, as a post would.
(() => {
  const buttonOf = (form, submitter) => submitter || form.querySelector("button:not([type=button]), input[type=submit]");

  function setBusy(form, button) {
    form.setAttribute("aria-busy", "true");
    if (!button) return;
    button.dataset.label = button.textContent;
    button.textContent = form.dataset.busy || "Working…";
    button.classList.add("busy");
    button.disabled = true;
  }

  function setIdle(form) {
    form.removeAttribute("aria-busy");
    form.querySelectorAll("button.busy").forEach((button) => {
      button.textContent = button.dataset.label || button.textContent;
      button.classList.remove("busy");
      button.disabled = false;
    });
  }

  function say(form, text, kind) {
    let line = form.previousElementSibling;
    if (!line || !line.classList.contains("busy-note")) {
      line = document.createElement("p");
      line.className = "busy-note";
      line.setAttribute("role", kind === "error" ? "alert" : "status");
      form.before(line);
    }
    line.className = `busy-note flash flash-${kind}`;
    line.textContent = text;
  }

  function filenameOf(reply) {
    const header = reply.headers.get("content-disposition") || "";
    const m = /filename="?([^";]+)"?/i.exec(header);
    return m ? m[1] : "download";
  }

  async function download(form) {
    const body = form.enctype === "multipart/form-data" ? new FormData(form) : new URLSearchParams(new FormData(form));
    let reply;
    try {
      reply = await fetch(form.action, { method: "POST", body, credentials: "same-origin", redirect: "follow" });
    } catch {
      setIdle(form);
      say(form, "The request did not reach the server; check the connection and try again.", "error");
      return;
    }
    if (reply.ok && /attachment/i.test(reply.headers.get("content-disposition") || "")) {
      const url = URL.createObjectURL(await reply.blob());
      const a = document.createElement("a");
      a.href = url;
      a.download = filenameOf(reply);
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      setIdle(form);
      form.dispatchEvent(new CustomEvent("busy:downloaded", { detail: { filename: a.download } }));
      if (form.dataset.after === "reload") setTimeout(() => window.location.reload(), 1500);
      return;
    }
    const html = await reply.text();
    if (reply.redirected) window.history.replaceState(null, "", reply.url);
    document.open();
    document.write(html);
    document.close();
  }

  // On the document, so that a form's own submit listeners (share.js sets its progress token) run first.
  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !("busy" in form.dataset)) return;
    if (form.getAttribute("aria-busy") === "true") {
      event.preventDefault(); // the first submit is still running
      return;
    }
    const button = buttonOf(form, event.submitter);
    if ("download" in form.dataset && window.fetch) {
      event.preventDefault();
      setBusy(form, button);
      download(form);
    } else {
      setBusy(form, button); // the browser posts the form and goes to the answer
    }
  });

  // Back to a page kept in the browser's cache: its forms are usable again.
  window.addEventListener("pageshow", (event) => {
    if (event.persisted) document.querySelectorAll("form[aria-busy=true]").forEach(setIdle);
  });
})();
