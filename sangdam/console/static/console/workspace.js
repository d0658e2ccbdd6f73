/*
 * The ticket page as a workspace: timeline filter, undo toast, reply drafts that survive
 * a reload, a warning before leaving unsent text, and colleagues' presence and typing.
 * Everything here is an enhancement: without JavaScript the page still works.
 */
(function () {
  "use strict";
  var body = document.body;
  var ticketId = body.dataset.liveTicket;
  if (!ticketId) return;

  /* Timeline filter: everything, messages only, changes only (CSS hides the rest). */
  var timeline = document.getElementById("timeline");
  if (timeline) {
    timeline.addEventListener("change", function (event) {
      if (event.target.name === "timeline-filter") timeline.dataset.filter = event.target.value;
    });
  }

  /* Undo toast: shown after each in-place change, gone after a while unless in use. */
  var toastTimer = null;
  function armToast() {
    var toast = document.getElementById("toast");
    if (!toast || toast.hidden) return;
    window.clearTimeout(toastTimer);
    toastTimer = window.setTimeout(function hide() {
      var current = document.getElementById("toast");
      if (!current) return;
      if (current.contains(document.activeElement) || current.matches(":hover")) {
        toastTimer = window.setTimeout(hide, 2000);
        return;
      }
      current.hidden = true;
    }, 10000);
  }
  document.addEventListener("htmx:afterSettle", armToast);
  document.addEventListener("click", function (event) {
    var close = event.target.closest && event.target.closest(".toast-close");
    if (close) close.closest(".toast").hidden = true;
  });

  /* Image gallery: thumbnails open large in a dialog; arrows go through the ticket's images. */
  var gallery = document.getElementById("gallery");
  var shown = 0;
  function items() {
    return Array.prototype.slice.call(document.querySelectorAll("#thread .gallery-item"));
  }
  function show(index) {
    var all = items();
    if (!all.length) return;
    shown = (index + all.length) % all.length;
    var img = all[shown].querySelector("img");
    document.getElementById("gallery-image").src = all[shown].getAttribute("href");
    document.getElementById("gallery-image").alt = img ? img.alt : "";
    document.getElementById("gallery-caption").textContent =
      (img ? img.alt : "") + " (" + (shown + 1) + "/" + all.length + ")";
  }
  if (gallery) {
    document.addEventListener("click", function (event) {
      var item = event.target.closest && event.target.closest("#thread .gallery-item");
      if (!item) return;
      event.preventDefault();
      show(items().indexOf(item));
      gallery.showModal();
    });
    document.getElementById("gallery-prev").addEventListener("click", function () { show(shown - 1); });
    document.getElementById("gallery-next").addEventListener("click", function () { show(shown + 1); });
    document.getElementById("gallery-close").addEventListener("click", function () { gallery.close(); });
    gallery.addEventListener("keydown", function (event) {
      if (event.key === "ArrowLeft") show(shown - 1);
      if (event.key === "ArrowRight") show(shown + 1);
    });
  }

  /* Reply drafts per ticket in localStorage; cleared when the reply is sent. */
  var form = document.getElementById("reply-form");
  var box = document.getElementById("id_text");
  var key = "sangdam.draft." + ticketId;
  var submitting = false;
  function store(value) {
    try {
      if (value.trim()) window.localStorage.setItem(key, value);
      else window.localStorage.removeItem(key);
    } catch (e) {
      /* storage full or disabled: the draft just is not kept */
    }
  }
  if (form && box) {
    var saved = null;
    try {
      saved = window.localStorage.getItem(key);
    } catch (e) {
      saved = null;
    }
    if (saved && !box.value.trim()) {
      box.value = saved;
      body.dataset.draftRestored = "1";
    }
    box.addEventListener("input", function () {
      store(box.value);
      typing();
    });
    form.addEventListener("submit", function () {
      submitting = true;
      store("");
    });
    window.addEventListener("beforeunload", function (event) {
      if (submitting || !box.value.trim()) return;
      event.preventDefault();
      event.returnValue = "";
    });
  }

  /* A reply refused because someone wrote meanwhile: show what they wrote first. */
  var collision = document.getElementById("collision");
  if (collision) {
    collision.setAttribute("tabindex", "-1");
    collision.scrollIntoView({ block: "center" });
    collision.focus();
  }

  /* Presence: "still here" every 15 s, "typing" while keys are pressed. */
  var typingSent = 0;
  var typingIdle = null;
  // Whether the agent is writing an internal note: colleagues see the typing, the
  // customer (live chat) must not.
  function writingNote() {
    var checked = form && form.querySelector('input[name="kind"]:checked');
    return !!checked && checked.value === "note";
  }
  function report(isTyping) {
    if (window.sangdamLive) window.sangdamLive.send({ type: "presence", typing: isTyping, note: isTyping && writingNote() });
  }
  function typing() {
    var now = Date.now();
    if (now - typingSent > 3000) {
      typingSent = now;
      report(true);
    }
    window.clearTimeout(typingIdle);
    typingIdle = window.setTimeout(function () {
      typingSent = 0;
      report(false);
    }, 5000);
  }
  document.addEventListener("sangdam:open", function () {
    report(false);
  });
  if (body.dataset.liveState === "open") report(false);
  window.setInterval(function () {
    report(Date.now() - typingSent < 5000);
  }, 15000);

  var bar = document.getElementById("presence");
  document.addEventListener("sangdam:live", function (event) {
    var data = event.detail;
    if (!bar || data.event !== "presence" || String(data.ticket_id) !== String(ticketId)) return;
    var others = (data.agents || []).filter(function (a) {
      return String(a.id) !== String(body.dataset.me);
    });
    bar.textContent = "";
    others.forEach(function (agent) {
      var item = document.createElement("span");
      item.className = agent.typing ? "presence-agent typing" : "presence-agent";
      item.dataset.agent = agent.id;
      var template = agent.typing ? bar.dataset.typing : bar.dataset.viewing;
      item.textContent = template.replace("{name}", agent.name);
      bar.appendChild(item);
    });
    bar.hidden = others.length === 0;
  });
})();
