// The share form's progress: the form posts as usual (the zip downloads when every copy is made);
// meanwhile (busy.js sends it and saves the zip) this polls /share/progress/<token> and says how many copies are done.
document.querySelectorAll("form[data-progress]").forEach((form) => {
  form.addEventListener("submit", () => {
    if (form.getAttribute("aria-busy") === "true") return; // busy.js refuses this second submit
    const token = window.crypto && crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(36).slice(2, 12)}`;
    form.querySelector("input[name=progress]").value = token;
    const line = document.getElementById(form.dataset.progress);
    line.hidden = false;
    line.textContent = "Making the copies…";
    const timer = setInterval(async () => {
      if (!document.contains(form)) return clearInterval(timer); // the answer replaced the page
      const reply = await fetch(`/share/progress/${token}`, { credentials: "same-origin" });
      if (!reply.ok) return;
      const p = await reply.json();
      if (p.finished) {
        line.textContent = `${p.total} copies made and recorded; the zip is downloading.`;
        clearInterval(timer);
      } else if (p.total) {
        line.textContent = p.done < p.total ? `Copy ${p.done} of ${p.total} made (${p.recipient})…` : `All ${p.total} copies made; recording the share and packing the zip…`;
      }
    }, 700);
  });
});
