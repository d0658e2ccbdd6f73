/*
 * Keyboard shortcuts, listed in the help overlay (?):
 *   j / k   next / previous ticket (inbox rows; on a ticket page, the inbox list it came from)
 *   Enter   open the current ticket (inbox)     x   select the current ticket (inbox)
 *   r / n   reply / internal note                a   assign to me      s   solve
 *   u       back to the inbox                    /   search            ?   this help
 * Keys typed into a field, or with Ctrl/Alt/Meta, are left alone.
 *
 * Keys that act on the ticket (a, s, j, k, u) wait while a properties-panel request is in
 * flight or its answer is being swapped in, then run in the order typed. Without the
 * queue, "s" right after "a" either posted from the old panel concurrently (the slower
 * answer, the assignment's, then swapped in last and showed the ticket open again) or hit
 * the new panel in htmx's settle window, before htmx had bound its change handler (the
 * key was lost).
 */
(function () {
  "use strict";
  var LIST_KEY = "sangdam.list";
  var help = document.getElementById("shortcuts-help");

  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll("#inbox-list tr.ticket-row"));
  }
  function rememberList() {
    var urls = rows().map(function (row) {
      var link = row.querySelector("a.row-link");
      return link ? link.getAttribute("href") : "";
    });
    if (urls.length) {
      try {
        window.sessionStorage.setItem(LIST_KEY, JSON.stringify(urls));
      } catch (e) {
        /* private mode: j/k on the ticket page just does nothing */
      }
    }
  }
  function moveInInbox(step) {
    var all = rows();
    if (!all.length) return;
    var index = all.findIndex(function (row) { return row.classList.contains("is-current"); });
    index = index < 0 ? (step > 0 ? 0 : all.length - 1) : Math.max(0, Math.min(all.length - 1, index + step));
    all.forEach(function (row) { row.classList.remove("is-current"); });
    var row = all[index];
    row.classList.add("is-current");
    currentId = row.dataset.ticketId;
    var link = row.querySelector("a.row-link");
    if (link) link.focus();
    row.scrollIntoView({ block: "nearest" });
  }
  function moveFromTicket(step) {
    var urls;
    try {
      urls = JSON.parse(window.sessionStorage.getItem(LIST_KEY) || "[]");
    } catch (e) {
      urls = [];
    }
    var here = urls.indexOf(window.location.pathname);
    var next = urls[here + step];
    if (here >= 0 && next) window.location.href = next;
  }
  function reply(kind) {
    var radio = document.querySelector('#reply-form input[name=kind][value="' + kind + '"]');
    var box = document.getElementById("id_text");
    if (radio) radio.checked = true;
    if (box) box.focus();
  }
  function solve() {
    var select = document.getElementById("prop-status-value");
    if (!select || !select.querySelector('option[value="solved"]')) return;
    select.value = "solved";
    select.dispatchEvent(new Event("change", { bubbles: true }));
  }
  function typing(target) {
    return target.closest && target.closest("input, textarea, select, [contenteditable=true]");
  }

  var QUEUED = ["a", "s", "j", "k", "u"];
  var inflight = 0;
  var busySince = 0;
  var queue = [];
  var fallback = null;
  function panelRequest(detail) {
    var target = detail && detail.target;
    var elt = detail && detail.elt;
    return (target && target.id === "properties") || (elt && elt.closest && elt.closest("#properties"));
  }
  function settled() {
    window.clearTimeout(fallback);
    inflight = Math.max(0, inflight - 1);
    if (inflight) return;
    delete document.body.dataset.panelBusy;
    // Replay queued keys in order; stop when one starts another panel request.
    while (queue.length && !inflight) act(queue.shift());
  }
  document.addEventListener("htmx:beforeRequest", function (event) {
    if (!panelRequest(event.detail)) return;
    inflight += 1;
    busySince = Date.now();
    document.body.dataset.panelBusy = "1";
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    if (!panelRequest(event.detail)) return;
    // A failed request swaps nothing: release at once. Otherwise wait for the settle (when
    // htmx has bound the new panel's handlers), with a fallback if no swap happens.
    if (!event.detail.successful) settled();
    else fallback = window.setTimeout(settled, 2000);
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    if (inflight && event.target && event.target.id === "properties") settled();
  });

  var currentId = null;
  if (rows().length) rememberList();
  document.addEventListener("htmx:afterSettle", function () {
    if (!rows().length) return;
    rememberList();
    // The live refresh replaced the rows: keep the current one current (and focused).
    var row = currentId && document.querySelector('#inbox-list tr.ticket-row[data-ticket-id="' + currentId + '"]');
    if (!row) return;
    row.classList.add("is-current");
    var link = row.querySelector("a.row-link");
    if (link && (document.activeElement === document.body || !document.activeElement)) link.focus();
  });

  function act(key) {
    var onTicket = Boolean(document.body.dataset.liveTicket);
    if (key === "?") {
      if (help) help.showModal();
    } else if (key === "/") {
      var search = document.getElementById("topbar-q");
      if (search) search.focus();
    } else if (key === "j" || key === "k") {
      if (onTicket) moveFromTicket(key === "j" ? 1 : -1);
      else moveInInbox(key === "j" ? 1 : -1);
    } else if (key === "x" && !onTicket) {
      var current = document.querySelector("#inbox-list tr.is-current .row-select");
      if (current) current.click();
    } else if (key === "u" && onTicket) {
      var back = document.querySelector(".crumbs a");
      if (back) window.location.href = back.getAttribute("href");
    } else if (onTicket && (key === "r" || key === "n")) {
      reply(key === "r" ? "public" : "note");
    } else if (onTicket && key === "a") {
      var me = document.getElementById("assign-me");
      if (me) me.click();
    } else if (onTicket && key === "s") {
      solve();
    } else {
      return false;
    }
    return true;
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.altKey || event.metaKey || event.defaultPrevented) return;
    if (help && help.open) return; // the dialog handles Escape itself
    if (typing(event.target)) return;
    if (inflight && Date.now() - busySince > 10000) {
      // A request that never reported back (aborted, offline): stop waiting for it.
      inflight = 0;
      queue = [];
      delete document.body.dataset.panelBusy;
    }
    if (inflight && document.body.dataset.liveTicket && QUEUED.indexOf(event.key) >= 0) {
      queue.push(event.key);
      event.preventDefault();
      return;
    }
    if (act(event.key)) event.preventDefault();
  });
  var opener = document.getElementById("shortcuts-open");
  if (opener && help) {
    opener.addEventListener("click", function () { help.showModal(); });
  }
  if (help) {
    help.addEventListener("click", function (event) {
      if (event.target.closest(".dialog-close")) help.close();
    });
  }
})();
