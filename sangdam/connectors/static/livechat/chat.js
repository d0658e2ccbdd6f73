/* Sangdam live chat: the visitor's side (hosted page /chat/<key> and the widget's frame).
 *
 * No lost or doubled message: each message gets a client id and waits in localStorage
 * until the server acks it (after commit); after a reconnect every unacked message is
 * sent again and the server answers a repeat with the stored message. The signed
 * visitor token in localStorage brings the conversation back after a reload.
 */
(function () {
  "use strict";
  var root = document.getElementById("chat");
  if (!root) return;
  var T = JSON.parse(document.getElementById("chat-strings").textContent);
  var key = root.dataset.key;
  var storeKey = "sangdam.chat." + key;
  var log = document.getElementById("log");
  var statusEl = document.getElementById("status");
  var typingEl = document.getElementById("typing");
  var availEl = document.getElementById("availability");
  var contact = document.getElementById("contact");
  var composer = document.getElementById("composer");
  var input = document.getElementById("message");
  var email = document.getElementById("contact-email");
  var nameEl = document.getElementById("contact-name");
  var topicEl = document.getElementById("contact-topic");
  document.documentElement.style.setProperty("--accent", root.dataset.color || "#1a56db");

  var state = load();
  var socket = null;
  var attempt = 0;
  var welcomed = false;
  var offline = false;
  var seen = {}; // server ids and client ids already shown
  var last = 0; // newest server id on this page: a reconnect asks only for what came after
  var typingTimer = null;
  var typingSent = 0;

  function load() {
    try {
      var s = JSON.parse(localStorage.getItem(storeKey) || "{}");
      return { token: s.token || "", pending: s.pending || [] };
    } catch (e) {
      return { token: "", pending: [] };
    }
  }
  function save() {
    try {
      localStorage.setItem(storeKey, JSON.stringify(state));
    } catch (e) { /* private mode: the conversation lasts as long as the page */ }
  }
  function fmt(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (_, k) { return values[k] || ""; });
  }
  function newId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var a = new Uint8Array(16);
    crypto.getRandomValues(a);
    return Array.prototype.map.call(a, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  function setStatus(text) { statusEl.textContent = text; }

  // Customer text is only ever text: links are made from it by hand, never from HTML.
  function linkify(p, text) {
    var re = /https?:\/\/[^\s<>"']+/g, at = 0, m;
    while ((m = re.exec(text))) {
      p.appendChild(document.createTextNode(text.slice(at, m.index)));
      var a = document.createElement("a");
      a.href = m[0]; a.textContent = m[0]; a.rel = "noopener noreferrer nofollow"; a.target = "_blank";
      p.appendChild(a);
      at = m.index + m[0].length;
    }
    p.appendChild(document.createTextNode(text.slice(at)));
  }

  function render(m, pending) {
    var known = (m.id && seen["s" + m.id]) || (m.client_id && seen["c" + m.client_id]);
    if (known) {
      if (m.id && !known.dataset.id) { known.dataset.id = m.id; seen["s" + m.id] = known; }
      if (m.attachments && !known.querySelector(".file")) {
        // A picture the visitor sent: the server's copy replaces the local placeholder.
        known.remove();
        delete seen["s" + m.id];
        delete seen["c" + m.client_id];
        return render(m, pending);
      }
      if (!pending) setMeta(known, m);
      return known;
    }
    var li = document.createElement("li");
    li.className = "msg " + (m.from === "agent" ? "agent" : "visitor");
    if (m.id) { li.dataset.id = m.id; seen["s" + m.id] = li; }
    if (m.client_id) seen["c" + m.client_id] = li;
    if (m.from === "agent" && m.avatar) face(li, m.avatar, m.author);
    var who = document.createElement("span");
    who.className = "who";
    who.textContent = m.from === "agent" ? (m.author || T.agent) : T.you;
    li.appendChild(who);
    var p = document.createElement("p");
    linkify(p, m.text || "");
    if (m.text) li.appendChild(p);
    (m.attachments || []).forEach(function (a) {
      var url = "/chat/" + key + "/files/" + a.id + "?t=" + encodeURIComponent(state.token);
      var link = document.createElement("a");
      link.href = url;
      link.className = "file";
      link.rel = "noopener";
      if (a.image) {
        var img = document.createElement("img");
        img.src = url; img.alt = a.name; img.loading = "lazy";
        link.appendChild(img);
      } else {
        link.textContent = "📎 " + a.name;
      }
      li.appendChild(link);
    });
    if (m.file) {
      var local = document.createElement("p");
      local.textContent = "📎 " + m.file;
      li.appendChild(local);
    }
    var meta = document.createElement("span");
    meta.className = "meta";
    li.appendChild(meta);
    setMeta(li, m, pending);
    log.appendChild(li);
    li.scrollIntoView({ block: "end" });
    return li;
  }
  // The agent's face: their picture, else initials on the colour the server derived.
  function face(li, a, name) {
    var f = document.createElement("span");
    f.className = "face";
    f.setAttribute("aria-hidden", "true");
    f.style.background = a.colour;
    if (a.url) {
      var img = document.createElement("img");
      img.src = a.url; img.alt = ""; img.title = name || "";
      f.appendChild(img);
    } else {
      f.textContent = a.initials;
    }
    li.classList.add("has-face");
    li.appendChild(f);
  }
  function setMeta(li, m, pending) {
    var meta = li.querySelector(".meta");
    if (!meta) return;
    if (m.from === "agent") {
      meta.textContent = time(m.at);
    } else {
      meta.textContent = pending ? T.sending : time(m.at) + " · " + T.sent;
      li.classList.toggle("pending", !!pending);
    }
  }
  function time(iso) {
    var d = iso ? new Date(iso) : new Date();
    return d.toLocaleTimeString(root.dataset.lang, { hour: "2-digit", minute: "2-digit" });
  }

  function received(m) {
    if (m.id > last) last = m.id;
    render(m, false);
    if (m.from === "agent") {
      typingEl.hidden = true;
      send({ type: "receipt", state: document.hidden ? "delivered" : "read", ids: [m.id] });
      if (document.hidden) unread.push(m.id);
      notifyParent("message");
    }
  }
  var unread = [];
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden && unread.length) {
      send({ type: "receipt", state: "read", ids: unread });
      unread = [];
    }
  });

  function send(frame) {
    if (socket && socket.readyState === 1 && welcomed) {
      socket.send(JSON.stringify(frame));
      return true;
    }
    return false;
  }
  function flush() {
    state.pending.forEach(function (p) { send(p); });
  }

  // A socket can die silently (a phone changing networks): a ping every 25 s that gets
  // no pong within 10 s closes it, and the reconnect below takes over. The browser's own
  // "offline" closes it at once; "online" reconnects without waiting for the backoff.
  var retryTimer = null;
  var pongTimer = null;
  setInterval(function () {
    if (send({ type: "ping" }) && !pongTimer) {
      pongTimer = setTimeout(function () { pongTimer = null; if (socket) socket.close(); }, 10000);
    }
  }, 25000);
  window.addEventListener("offline", function () { if (socket) socket.close(); });
  window.addEventListener("online", function () {
    if (retryTimer) { clearTimeout(retryTimer); retryTimer = null; connect(); }
  });

  function connect() {
    retryTimer = null;
    setStatus(attempt ? T.reconnecting : T.connecting);
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + location.host + root.dataset.socket);
    welcomed = false;
    socket.onopen = function () {
      socket.send(JSON.stringify({
        type: "hello",
        token: state.token || null,
        after: last,
        visit: {
          page_url: root.dataset.page || location.href,
          language: navigator.language || "",
          user_id: root.dataset.userId || "",
          user_hash: root.dataset.userHash || "",
        },
      }));
    };
    socket.onmessage = function (e) {
      var f = JSON.parse(e.data);
      if (f.type === "welcome") {
        attempt = 0;
        welcomed = true;
        state.token = f.token;
        save();
        setStatus("");
        f.messages.forEach(received);
        availability(f.availability, last > 0);
        state.pending.forEach(function (p) { render(p, true); });
        flush();
        rating.hidden = !f.ended;
        transcript.hidden = !f.ended;
        chatting(f.open || state.pending.length > 0);
      } else if (f.type === "ack") {
        state.pending = state.pending.filter(function (p) { return p.client_id !== f.client_id; });
        save();
        received(f.message);
        chatting(true);
        if (f.offline) offlineDone();
      } else if (f.type === "message") {
        received(f.message);
      } else if (f.type === "typing") {
        typingEl.textContent = fmt(T.typing, { name: f.author || T.agent });
        typingEl.hidden = !f.on;
      } else if (f.type === "error") {
        error(f);
      } else if (f.type === "ended") {
        showEnded();
      } else if (f.type === "transcript_sent") {
        transcript.hidden = true;
        setStatus(fmt(T.transcript_sent, { email: f.email }));
      } else if (f.type === "rated") {
        rating.hidden = true;
        document.getElementById("rating-thanks").hidden = false;
      } else if (f.type === "pong") {
        clearTimeout(pongTimer);
        pongTimer = null;
      }
    };
    socket.onclose = function (e) {
      if (this !== socket) return; // an old socket closing late
      welcomed = false;
      clearTimeout(pongTimer);
      pongTimer = null;
      if (e.code === 4403) {
        // A token this server does not accept (another install, tampered storage):
        // start over as a new visitor rather than never connecting again.
        state.token = ""; last = 0; save();
      }
      if (e.code === 4404) { setStatus(""); return; }
      attempt += 1;
      setStatus(T.reconnecting);
      // Exponential backoff with jitter, at most 15 s between tries.
      var wait = Math.min(15000, 500 * Math.pow(2, attempt - 1)) * (0.75 + Math.random() / 2);
      retryTimer = setTimeout(connect, wait);
    };
  }

  function error(f) {
    var text = T[f.code] || f.detail;
    setStatus(text);
    if (f.client_id && f.code !== "rate_limited") {
      // Refused for good (too long, empty): it will never be acked; drop it.
      state.pending = state.pending.filter(function (p) { return p.client_id !== f.client_id; });
      save();
      var li = seen["c" + f.client_id];
      if (li) li.remove();
    } else if (f.code === "rate_limited") {
      setTimeout(flush, (f.retry_after || 5) * 1000);
    }
  }

  function availability(a, started) {
    offline = !a.available;
    var text = a.available ? T.online : T.offline;
    if (!a.available && a.opens_at) {
      text += " " + fmt(T.opens, { time: new Date(a.opens_at).toLocaleString(root.dataset.lang, { weekday: "short", hour: "2-digit", minute: "2-digit" }) });
    }
    availEl.textContent = text;
    root.classList.toggle("is-offline", offline);
    if (!started) {
      contact.hidden = false;
      email.required = offline;
      if (offline) document.getElementById("contact-email-label").textContent = T.email_required;
      document.getElementById("contact-intro").textContent = offline ? T.offline : "";
    }
  }
  function offlineDone() {
    contact.hidden = true;
  }

  // Files go over HTTP (the socket is for short frames); retried until the server has
  // it, with the same client id, so a retry is stored once. Kept in memory only.
  var fileInput = document.getElementById("file");
  var uploads = [];
  function upload(item) {
    var form = new FormData();
    form.append("token", state.token);
    form.append("client_id", item.client_id);
    form.append("file", item.file);
    fetch("/chat/" + key + "/upload", { method: "POST", body: form })
      .then(function (r) { return r.json(); })
      .then(function (f) {
        if (f.type === "ack") {
          uploads = uploads.filter(function (u) { return u !== item; });
          received(f.message);
        } else {
          error({ code: f.code, detail: f.detail, client_id: f.code === "rate_limited" ? "" : item.client_id });
          if (f.code !== "rate_limited") uploads = uploads.filter(function (u) { return u !== item; });
          else setTimeout(function () { upload(item); }, 5000);
        }
      }, function () {
        setTimeout(function () { if (uploads.indexOf(item) >= 0) upload(item); }, 3000);
      });
  }
  fileInput.addEventListener("change", function () {
    var file = fileInput.files && fileInput.files[0];
    fileInput.value = "";
    if (!file || !state.token) return;
    var item = { client_id: newId(), file: file };
    uploads.push(item);
    render({ client_id: item.client_id, text: "", file: file.name, from: "visitor" }, true);
    upload(item);
  });

  // "End chat" (with a confirm): the chat is solved by the customer; the server answers
  // "ended" and the CSAT question and the transcript offer appear as when an agent solves it.
  var endBtn = document.getElementById("chat-end");
  var endBox = document.getElementById("end-confirm");
  function chatting(on) { endBtn.hidden = !on; if (!on) endBox.hidden = true; }
  endBtn.addEventListener("click", function () {
    endBox.hidden = false;
    document.getElementById("end-no").focus();
  });
  document.getElementById("end-no").addEventListener("click", function () {
    endBox.hidden = true;
    endBtn.focus();
  });
  document.getElementById("end-yes").addEventListener("click", function () {
    if (send({ type: "end" })) endBox.hidden = true;
  });
  function showEnded() {
    chatting(false);
    rating.hidden = false;
    transcript.hidden = false;
    document.getElementById("transcript-email").value = email.value;
  }

  // When the agent solves the chat: the CSAT question (stored with the ticket).
  var rating = document.getElementById("rating");
  rating.addEventListener("submit", function (e) {
    e.preventDefault();
    var score = e.submitter && parseInt(e.submitter.value, 10);
    if (score) send({ type: "rating", score: score, comment: document.getElementById("rating-comment").value });
  });

  var transcript = document.getElementById("transcript");
  transcript.addEventListener("submit", function (e) {
    e.preventDefault();
    send({ type: "transcript", email: document.getElementById("transcript-email").value });
  });

  composer.addEventListener("submit", function (e) {
    e.preventDefault();
    var text = input.value.trim();
    if (!text) return;
    var frame = { type: "message", client_id: newId(), text: text };
    if (!contact.hidden) {
      if (offline && !email.checkValidity() || offline && !email.value) {
        setStatus(T.email_needed);
        email.focus();
        return;
      }
      frame.contact = { name: nameEl.value, email: email.value, topic: topicEl ? topicEl.value : "" };
      if (offline) {
        frame.offline = true;
        setStatus(fmt(T.thanks_offline, { email: email.value }));
      }
      contact.hidden = true;
    }
    input.value = "";
    state.pending.push(frame);
    save();
    render({ client_id: frame.client_id, text: text, from: "visitor" }, true);
    send(frame);
    stopTyping();
  });
  input.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      composer.requestSubmit();
    }
  });
  input.addEventListener("input", function () {
    var now = Date.now();
    if (now - typingSent > 3000) { typingSent = now; send({ type: "typing", on: true }); }
    clearTimeout(typingTimer);
    typingTimer = setTimeout(stopTyping, 4000);
  });
  function stopTyping() {
    clearTimeout(typingTimer);
    if (typingSent) { typingSent = 0; send({ type: "typing", on: false }); }
  }

  // In the widget's frame: the page around us closes the panel and counts new messages.
  function notifyParent(what) {
    if (window.parent !== window) window.parent.postMessage({ sangdamChat: what }, "*");
  }
  var close = document.getElementById("chat-close");
  if (close) close.addEventListener("click", function () { notifyParent("close"); });
  document.addEventListener("keydown", function (e) { if (e.key === "Escape") notifyParent("close"); });

  connect();
})();
