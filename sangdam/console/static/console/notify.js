/*
 * Notifications in the browser: the header's unread count follows the live socket, and,
 * when the agent opted in on the notifications page (stored on this computer), a system
 * notification and a short sound for each new one.
 */
(function () {
  "use strict";
  var BROWSER = "sangdam.notify.browser";
  var SOUND = "sangdam.notify.sound";
  function get(key) {
    try { return window.localStorage.getItem(key) === "1"; } catch (e) { return false; }
  }
  function set(key, on) {
    try { window.localStorage.setItem(key, on ? "1" : "0"); } catch (e) { /* not kept */ }
  }
  function beep() {
    var Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) return;
    var ctx = new Context();
    var osc = ctx.createOscillator();
    var gain = ctx.createGain();
    osc.frequency.value = 880;
    gain.gain.setValueAtTime(0.15, ctx.currentTime);
    gain.gain.exponentialRampToValueAtTime(0.001, ctx.currentTime + 0.4);
    osc.connect(gain).connect(ctx.destination);
    osc.start();
    osc.stop(ctx.currentTime + 0.4);
  }

  document.addEventListener("sangdam:live", function (event) {
    var data = event.detail;
    if (data.event !== "notification") return;
    var badge = document.getElementById("unread-count");
    if (badge) {
      badge.textContent = String(data.unread);
      badge.dataset.count = String(data.unread);
      badge.hidden = !data.unread;
    }
    if (get(BROWSER) && window.Notification && Notification.permission === "granted") {
      var note = new Notification(data.label + " · " + data.reference, { body: data.subject, tag: "sangdam-" + data.ticket_id });
      note.onclick = function () { window.focus(); window.location.href = "/tickets/" + data.ticket_id + "/"; };
    }
    if (get(SOUND)) beep();
  });

  var browserBox = document.getElementById("notify-browser");
  var soundBox = document.getElementById("notify-sound");
  var denied = document.getElementById("notify-denied");
  if (browserBox) {
    browserBox.checked = get(BROWSER) && window.Notification && Notification.permission === "granted";
    browserBox.addEventListener("change", function () {
      if (!browserBox.checked || !window.Notification) {
        set(BROWSER, false);
        return;
      }
      Notification.requestPermission().then(function (answer) {
        var ok = answer === "granted";
        set(BROWSER, ok);
        browserBox.checked = ok;
        if (denied) denied.hidden = ok;
      });
    });
  }
  if (soundBox) {
    soundBox.checked = get(SOUND);
    soundBox.addEventListener("change", function () {
      set(SOUND, soundBox.checked);
      if (soundBox.checked) beep();
    });
  }
})();
