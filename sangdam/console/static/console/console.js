/*
 * Live updates for the agent console.
 *
 * The page declares what to refresh with data attributes on <body>:
 *   data-live-socket  websocket path (/ws/live/ or /ws/live/ticket/<id>/)
 *   data-live-url     URL of the partial to re-fetch
 *   data-live-target  CSS selector of the element the partial replaces
 *   data-live-ticket  (ticket page) only events for this ticket trigger a refresh
 *   data-live-keep-query  (inbox) re-fetch with the page's current filters
 * On any matching event, and whenever the socket (re)opens, the partial is re-fetched
 * with htmx and swapped in place; on the ticket page the properties panel too, unless the
 * agent is using one of its controls.
 * Every message is also dispatched as a "sangdam:live" DOM event (detail: the payload), and
 * window.sangdamLive.send(obj) sends to the socket (presence and typing, workspace.js).
 * Presence messages never trigger a refresh.
 * The socket reconnects with backoff; body[data-live-state] says "open" or "closed"
 * (end-to-end tests wait for "open").
 */
(function () {
  "use strict";
  var body = document.body;
  var socketPath = body.dataset.liveSocket;
  if (!socketPath) return;
  var target = body.dataset.liveTarget;
  var ticketId = body.dataset.liveTicket;
  var delay = 1000;
  var pending = null;

  function partialUrl() {
    var url = body.dataset.liveUrl;
    if (body.dataset.liveKeepQuery) url += window.location.search;
    return url;
  }

  function refresh() {
    // Coalesce bursts (a reply fires message_added and ticket_updated together).
    if (pending) return;
    pending = window.setTimeout(function () {
      pending = null;
      if (!window.htmx || !document.querySelector(target)) return;
      window.htmx.ajax("GET", partialUrl(), { target: target, swap: "outerHTML" });
      refreshProperties();
    }, 250);
  }

  // Screen pop: an incoming call (phone channel) shows the caller's card, fetched from
  // the console in this agent's language.
  function showCall(data) {
    var box = document.getElementById("screen-pop");
    if (!box || !window.htmx) return;
    window.htmx
      .ajax("GET", box.dataset.url + "?number=" + encodeURIComponent(data.number || ""), {
        target: "#screen-pop",
        swap: "innerHTML",
      })
      .then(function () {
        box.hidden = false;
      });
  }

  document.addEventListener("click", function (event) {
    if (!event.target.closest || !event.target.closest("[data-close-pop]")) return;
    var box = document.getElementById("screen-pop");
    box.hidden = true;
    box.innerHTML = "";
  });

  // The ticket page's properties panel and header summary, fetched again after a change by
  // anyone. An answer older than what the page shows (an in-place change of the agent's own
  // landed first) is dropped; the panel is left alone while the agent uses one of its
  // controls or one of its requests is in flight (the summary still follows).
  function refreshProperties() {
    var props = document.getElementById("properties");
    if (!props || !props.dataset.url) return;
    window
      .fetch(props.dataset.url, { headers: { "HX-Request": "true" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : ""; })
      .then(function (html) {
        if (!html) return;
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.getElementById("properties");
        var current = document.getElementById("properties");
        if (!fresh || !current) return;
        if (parseFloat(fresh.dataset.version) < parseFloat(current.dataset.version)) return;
        var summary = doc.getElementById("ticket-summary");
        var shown = document.getElementById("ticket-summary");
        if (summary && shown) {
          summary.removeAttribute("hx-swap-oob");
          shown.replaceWith(summary);
        }
        // Nor while the agent's own change is on its way (keys.js marks it): its answer
        // swaps the panel it was sent from.
        if (current.contains(document.activeElement) || body.dataset.panelBusy) return;
        current.replaceWith(fresh);
        window.htmx.process(fresh);
      });
  }

  function connect() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + window.location.host + socketPath);
    window.sangdamLive = {
      send: function (obj) {
        if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(obj));
      },
    };
    socket.onopen = function () {
      delay = 1000;
      body.dataset.liveState = "open";
      document.dispatchEvent(new CustomEvent("sangdam:open"));
      // Events published between the page's render and this moment (or while the socket
      // was down) were missed: fetch the partial once now.
      refresh();
    };
    socket.onmessage = function (event) {
      var data;
      try {
        data = JSON.parse(event.data);
      } catch (e) {
        return;
      }
      document.dispatchEvent(new CustomEvent("sangdam:live", { detail: data }));
      if (data.event === "presence" || data.event === "notification") return;
      if (data.event === "typing") {
        // The customer is typing (live chat): shown on the ticket, nothing to re-fetch.
        var typing = document.getElementById("customer-typing");
        if (typing && String(data.ticket_id) === String(ticketId)) typing.hidden = !data.on;
        return;
      }
      if (data.event === "call_ringing") {
        showCall(data);
        return;
      }
      if (ticketId && String(data.ticket_id) !== String(ticketId)) return;
      refresh();
    };
    socket.onclose = function () {
      body.dataset.liveState = "closed";
      window.setTimeout(connect, delay);
      delay = Math.min(delay * 2, 30000);
    };
  }

  connect();
})();

/*
 * Macros on the ticket page: "Insert" puts the chosen macro (already filled in for this
 * ticket by the server, in <option data-text>) into the reply box at the cursor. Without
 * JavaScript the same button reloads the page with the macro in the reply box.
 */
(function () {
  "use strict";
  var picker = document.getElementById("macro-picker");
  var box = document.getElementById("id_text");
  if (!picker || !box) return;
  picker.addEventListener("submit", function (event) {
    var select = picker.querySelector("select");
    var option = select && select.options[select.selectedIndex];
    if (!option || !option.dataset.text) return;
    event.preventDefault();
    var start = box.selectionStart || 0;
    var end = box.selectionEnd || 0;
    box.value = box.value.slice(0, start) + option.dataset.text + box.value.slice(end);
    box.focus();
    var caret = start + option.dataset.text.length;
    box.setSelectionRange(caret, caret);
  });
})();
