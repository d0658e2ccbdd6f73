/* The chat's "Call me back" form: posts to /chat/<key>/callback with the visitor token
   the chat keeps (chat.js's localStorage entry) and shows the answer. */
(function () {
  "use strict";
  var root = document.getElementById("chat");
  var form = document.getElementById("callback-form");
  if (!root || !form) return;
  var result = document.getElementById("callback-result");
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var data = new FormData(form);
    var stored = {};
    try { stored = JSON.parse(localStorage.getItem("sangdam.chat." + root.dataset.key) || "{}"); } catch (err) { /* none */ }
    data.append("token", stored.token || "");
    data.append("lang", root.dataset.lang || "");
    fetch("/chat/" + root.dataset.key + "/callback", { method: "POST", body: data })
      .then(function (r) { return r.json(); })
      .then(function (answer) {
        result.textContent = answer.detail || "";
        if (answer.type === "ok") form.hidden = true;
      });
  });
})();
