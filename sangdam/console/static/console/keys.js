/*
 * Keyboard shortcuts, listed in the help overlay (?):
 *   j / k   next / previous ticket (inbox rows; on a ticket page, the inbox list it came from)
 *   Enter   open the current ticket (inbox)     x   select the current ticket (inbox)
 *   r / n   reply / internal note                a   assign to me      s   solve
 *   u       back to the inbox                    /   search            ?   this help
 * Keys typed into a field, or with Ctrl/Alt/Meta, are left alone.
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

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.altKey || event.metaKey || event.defaultPrevented) return;
    if (help && help.open) return; // the dialog handles Escape itself
    if (typing(event.target)) return;
    var onTicket = Boolean(document.body.dataset.liveTicket);
    var key = event.key;
    var done = true;
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
      done = false;
    }
    if (done) event.preventDefault();
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
