() => {
  // sendqa's page script (ui/app.js), run once when the page loads. Each fix below is to
  // Gradio's own markup, which no theme setting or component option reaches; a
  // MutationObserver keeps them in place because Gradio re-renders the chat as an answer
  // streams. Without this script the app still works, and only these fixes are lost.
  const ANNOUNCER = "answer-announcer";
  if (!document.getElementById(ANNOUNCER)) {
    // One polite live region for the whole page: each finished answer is read out here once
    // (ui/ask_tab.py ANNOUNCE_ANSWER), instead of the chat log reading every streamed piece.
    const region = document.createElement("div");
    region.id = ANNOUNCER;
    region.className = "sr-only";
    region.setAttribute("role", "status");
    region.setAttribute("aria-live", "polite");
    region.setAttribute("aria-atomic", "true");
    document.body.appendChild(region);
  }
  // Say a line once, politely: cleared first, so the same words twice are still read out.
  window.sendqaAnnounce = (text) => {
    const region = document.getElementById(ANNOUNCER);
    if (!region) { return; }
    region.textContent = "";
    window.setTimeout(() => { region.textContent = text; }, 150);
  };
  const setAttr = (el, name, value) => {
    if (el.getAttribute(name) !== value) { el.setAttribute(name, value); }
  };
  const fix = () => {
    // The chat log is aria-live="polite" in Gradio: a screen reader would read the answer
    // paragraph by paragraph while it streams. The announcer above reads it once instead.
    for (const log of document.querySelectorAll('#chat [role="log"]')) {
      setAttr(log, "aria-live", "off");
    }
    // Gradio names each message div with its raw Markdown, HTML tags and all (aria-label on a
    // div with no role: axe aria-prohibited-attr). Name them as groups instead.
    const names = [['[data-testid="user"]', "Your question"], ['[data-testid="bot"]', "Answer"]];
    for (const [selector, name] of names) {
      for (const message of document.querySelectorAll("#chat " + selector)) {
        setAttr(message, "role", "group");
        setAttr(message, "aria-label", name);
      }
    }
    // Gradio's chat sanitiser drops aria-* attributes, so each [n] link carries its name as
    // hidden text ("source 2: SEND Regulations 2014, reg.5(1)"); make that its whole name.
    for (const hidden of document.querySelectorAll("#chat a.cite > .sr-only")) {
      setAttr(hidden.parentElement, "aria-label", hidden.textContent.trim());
    }
    // Gradio's download links read "4.0 KB ⇣": say what they download (the size stays in the
    // name, so a voice command using the visible words still finds the link).
    for (const link of document.querySelectorAll('a[data-testid="download-link"][download]')) {
      const size = link.textContent.replace("⇣", "").replace(/\s+/g, " ").trim();
      setAttr(link, "aria-label", `Download ${link.getAttribute("download")}, ${size}`);
    }
    // The footer's Settings image repeats its link's text (axe image-redundant-alt).
    for (const img of document.querySelectorAll('footer img[alt]:not([alt=""])')) {
      img.setAttribute("alt", "");
    }
  };
  fix();
  new MutationObserver(fix).observe(document.body, {
    subtree: true,
    childList: true,
    attributes: true,
    attributeFilter: ["aria-live", "aria-label", "role", "alt"],
  });
}
