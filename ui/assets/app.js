// The clinician's screen in the browser: each new answer is scrolled to its top, and inline
// citations open their passage next to the answer (buttons, so the keyboard reaches them).
(() => {
  let shown = "";

  // Gradio's sanitiser keeps classes, not data attributes: numbers travel as "turn-3", "fn-2".
  function numbered(element, prefix) {
    for (const name of element.classList) {
      if (name.startsWith(prefix) && /^\d+$/.test(name.slice(prefix.length))) {
        return name.slice(prefix.length);
      }
    }
    return "";
  }

  function scroller(element) {
    for (let node = element.parentElement; node && node !== document.body; node = node.parentElement) {
      const overflow = getComputedStyle(node).overflowY;
      if ((overflow === "auto" || overflow === "scroll") && node.scrollHeight > node.clientHeight) {
        return node;
      }
    }
    return null;
  }

  // The latest answer (or the placeholder while it is prepared) at the top of the chat.
  function showLatest() {
    const chat = document.getElementById("chat");
    if (!chat) return;
    const answers = chat.querySelectorAll(".hcc-answer");
    const last = answers[answers.length - 1];
    if (!last) { shown = ""; return; }
    const key = `${answers.length}:${numbered(last, "turn-") || "pending"}`;
    if (key === shown) return;
    shown = key;
    const box = scroller(last);
    if (box) {
      box.scrollTop += last.getBoundingClientRect().top - box.getBoundingClientRect().top - 8;
    }
  }

  function closeNote(panel, button) {
    panel.remove();
    if (button) { button.setAttribute("aria-expanded", "false"); button.focus(); }
  }

  // The footnote's passage and references, opened right under the line that cites it.
  function toggleNote(button) {
    const answer = button.closest(".hcc-answer");
    if (!answer) return;
    const number = numbered(button, "fn-");
    const id = `fn-open-${numbered(answer, "turn-") || 0}-${number}`;
    const open = document.getElementById(id);
    if (open) { closeNote(open, button); return; }
    const note = answer.querySelector(`details.footnote.fn-note-${number}`);
    if (!note) return;
    const panel = document.createElement("div");
    panel.className = "fn-open";
    panel.id = id;
    panel.setAttribute("role", "region");
    panel.tabIndex = -1;
    const title = document.createElement("div");
    title.className = "fn-open-title";
    const label = document.createElement("span");
    label.textContent = note.querySelector("summary").textContent;
    const close = document.createElement("button");
    close.type = "button";
    close.className = "fn-close";
    close.textContent = "Close";
    close.setAttribute("aria-label", `Close source ${number}`);
    close.addEventListener("click", () => closeNote(panel, button));
    title.append(label, close);
    panel.append(title);
    panel.setAttribute("aria-label", `Source ${label.textContent}`);
    for (const child of note.children) {
      if (child.tagName !== "SUMMARY") panel.append(child.cloneNode(true));
    }
    const block = button.closest("li, p, td, blockquote") || button.parentElement;
    if (block.tagName === "LI") block.append(panel); else block.after(panel);
    button.setAttribute("aria-expanded", "true");
    panel.focus({ preventScroll: true });
    panel.scrollIntoView({ block: "nearest" });
  }

  document.addEventListener("click", (event) => {
    const button = event.target instanceof Element && event.target.closest("button.fn-ref");
    if (!button) return;
    event.preventDefault();
    event.stopPropagation();
    toggleNote(button);
  }, true);

  // A message's copy button copies the message as text (its folds open, without the agent
  // steps), not the HTML it is sent as.
  document.addEventListener("click", (event) => {
    const button = event.target instanceof Element &&
      event.target.closest("#chat button[aria-label='Copy message']");
    if (!button || !navigator.clipboard) return;
    let node = button.closest(".message-buttons") || button;
    let content = null;
    while (node && !content) {
      node = node.previousElementSibling;
      content = node && (node.matches(".message-content") ? node : node.querySelector(".message-content"));
    }
    if (!content) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    // The answer with its folds open (details, sources), without the agent steps.
    const copy = content.cloneNode(true);
    copy.querySelectorAll(".answer-steps, .fn-open, button.fn-close").forEach((n) => n.remove());
    copy.querySelectorAll("details").forEach((n) => { n.open = true; });
    copy.style.cssText = "position:absolute;left:-99999px;top:0;width:800px";
    document.body.append(copy);
    const text = copy.innerText.trim();
    copy.remove();
    navigator.clipboard.writeText(text);
  }, true);

  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    const panel = event.target instanceof Element && event.target.closest(".fn-open");
    if (!panel) return;
    const [turn, number] = panel.id.replace("fn-open-", "").split("-");
    const answer = document.querySelector(`.hcc-answer.turn-${turn}`);
    closeNote(panel, answer && answer.querySelector(`button.fn-ref.fn-${number}`));
  });

  // The profile panel's conflict, mirrored into a box pinned to the window's corner while it
  // lasts (Gradio's containers make a fixed element inside them scroll with the page).
  function pinConflict() {
    const source = document.querySelector("#profile-problem .panel-conflict");
    let pinned = document.getElementById("conflict-pinned");
    if (!source) { if (pinned) pinned.remove(); return; }
    if (!pinned) {
      pinned = document.createElement("div");
      pinned.id = "conflict-pinned";
      pinned.setAttribute("role", "alert");
      document.body.append(pinned);
    }
    if (pinned.innerHTML !== source.innerHTML) pinned.innerHTML = source.innerHTML;
  }

  let queued = false;
  new MutationObserver(() => {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => { queued = false; showLatest(); pinConflict(); });
  }).observe(document.documentElement, { childList: true, subtree: true, characterData: true });
})();
