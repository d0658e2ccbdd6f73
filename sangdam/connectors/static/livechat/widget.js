/* Sangdam live chat widget. Paste on any page:
 *   <script src="https://help.example.com/chat/widget.js" data-channel="KEY" async></script>
 * It adds a launcher button; the panel is an iframe of the hosted chat (/chat/KEY), so the
 * chat's socket, storage and styles stay on the help desk's origin, untouched by the site.
 * A signed-in user: add data-user-id="42" data-user-hash="<hex HMAC-SHA256(secret, "42")>".
 */
(function () {
  "use strict";
  var script = document.currentScript || document.querySelector("script[data-channel][src*='/chat/widget.js']");
  if (!script || window.__sangdamChat) return;
  window.__sangdamChat = true;
  var key = script.getAttribute("data-channel");
  var base = new URL(script.src, location.href).origin;
  var lang = (script.getAttribute("data-lang") || document.documentElement.lang || navigator.language || "ko").slice(0, 2);
  lang = lang === "ko" ? "ko" : "en";
  var url = base + "/chat/" + encodeURIComponent(key);

  fetch(url + "/widget.json?lang=" + lang).then(function (r) { return r.json(); }).then(build, function () {});

  function build(cfg) {
    var side = cfg.position === "left" ? "left" : "right";
    var color = /^#[0-9a-fA-F]{6}$/.test(cfg.color) ? cfg.color : "#1a56db";
    var host = document.createElement("div");
    host.setAttribute("data-sangdam-chat", "");
    // Shadow DOM keeps the page's CSS off the launcher (the panel is a frame anyway).
    var root = host.attachShadow ? host.attachShadow({ mode: "open" }) : host;
    var style = document.createElement("style");
    style.textContent =
      ":host{all:initial}" +
      ".l{position:fixed;bottom:20px;" + side + ":20px;z-index:2147483000;width:56px;height:56px;border-radius:50%;border:0;" +
      "background:" + color + ";color:#fff;cursor:pointer;box-shadow:0 4px 14px rgba(0,0,0,.25);display:flex;align-items:center;justify-content:center}" +
      ".l:focus-visible{outline:3px solid #fff;box-shadow:0 0 0 5px " + color + "}" +
      ".l svg{width:28px;height:28px;fill:currentColor}" +
      ".b{position:absolute;top:-2px;right:-2px;min-width:18px;height:18px;border-radius:9px;background:#d1242f;color:#fff;font:600 11px/18px system-ui,sans-serif;text-align:center}" +
      ".p{position:fixed;bottom:88px;" + side + ":20px;z-index:2147483000;width:380px;height:600px;max-height:calc(100vh - 108px);" +
      "border:0;border-radius:14px;box-shadow:0 8px 30px rgba(0,0,0,.3);background:#fff}" +
      // On a phone the panel fills the screen and closes with its own × (the frame's).
      "@media (max-width:480px){.p{inset:0;width:100%;height:100%;max-height:none;border-radius:0}.l[aria-expanded=true]{display:none}}" +
      "[hidden]{display:none!important}";
    root.appendChild(style);
    var button = document.createElement("button");
    button.type = "button";
    button.className = "l";
    button.setAttribute("aria-label", cfg.label);
    button.setAttribute("aria-expanded", "false");
    button.innerHTML = '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H8l-5 4V5a2 2 0 0 1 1-2z"/></svg>';
    var badge = document.createElement("span");
    badge.className = "b";
    badge.hidden = true;
    button.appendChild(badge);
    var frame = null;
    var unread = 0;

    function open() {
      if (!frame) {
        frame = document.createElement("iframe");
        frame.className = "p";
        frame.title = cfg.title || cfg.label;
        var user = script.getAttribute("data-user-id");
        frame.src = url + "?embed=1&lang=" + lang + "&page=" + encodeURIComponent(location.href) +
          (user ? "&user_id=" + encodeURIComponent(user) + "&user_hash=" + encodeURIComponent(script.getAttribute("data-user-hash") || "") : "");
        frame.setAttribute("allow", "clipboard-write");
        root.appendChild(frame);
      }
      frame.hidden = false;
      button.setAttribute("aria-expanded", "true");
      button.setAttribute("aria-label", cfg.close);
      unread = 0;
      badge.hidden = true;
      frame.focus();
    }
    function close() {
      if (frame) frame.hidden = true;
      button.setAttribute("aria-expanded", "false");
      button.setAttribute("aria-label", cfg.label);
      button.focus();
    }
    button.addEventListener("click", function () {
      if (frame && !frame.hidden) close(); else open();
    });
    window.addEventListener("message", function (e) {
      if (e.origin !== base || !e.data || !e.data.sangdamChat) return;
      if (e.data.sangdamChat === "close") close();
      if (e.data.sangdamChat === "message" && (!frame || frame.hidden)) {
        unread += 1;
        badge.textContent = String(unread);
        badge.hidden = false;
      }
    });
    document.addEventListener("keydown", function (e) {
      if (e.key === "Escape" && frame && !frame.hidden) close();
    });
    root.appendChild(button);
    document.body.appendChild(host);
  }
})();
