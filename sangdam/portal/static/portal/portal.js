// Progressive enhancement for the inquiry and reply forms; everything works without it:
// only the chosen topic's questions show, files are checked before upload, uploads show
// progress, and after a server-side error the chosen files stay chosen.
(function () {
  "use strict";
  var form = document.getElementById("inquiry-form") || document.getElementById("reply-form");
  if (!form) return;
  var ko = document.documentElement.lang === "ko";
  var maxFiles = parseInt(form.getAttribute("data-max-files"), 10);
  var maxBytes = parseInt(form.getAttribute("data-max-bytes"), 10) * 1024 * 1024;

  function files() { return form.querySelector("input[type=file]"); }

  function showTopicFields() {
    // Without JavaScript every topic's questions show; with it only the chosen topic's.
    var topic = form.querySelector("select[name=topic]");
    form.querySelectorAll("fieldset.topic-extra").forEach(function (set) {
      set.hidden = !topic || set.getAttribute("data-topic") !== topic.value;
    });
  }

  function checkFiles() {
    var input = files();
    var problem = "";
    if (input && input.files.length > maxFiles) {
      problem = ko ? "파일은 " + maxFiles + "개까지 첨부할 수 있습니다." : "You can attach at most " + maxFiles + " files.";
    }
    Array.prototype.forEach.call(input ? input.files : [], function (f) {
      if (f.size > maxBytes) {
        var mb = maxBytes / 1048576;
        problem = f.name + (ko ? ": 파일이 너무 큽니다 (" + mb + "MB까지)." : ": the file is too large (up to " + mb + " MB).");
      }
    });
    var box = form.querySelector(".js-file-error");
    if (box) { box.textContent = problem; box.hidden = !problem; }
    return !problem;
  }

  function showErrors(html) {
    // Take the server's re-rendered form (errors, typed values) but keep the live file
    // input: a page load would empty it, and the customer would have to choose again.
    var fresh = new DOMParser().parseFromString(html, "text/html").getElementById(form.id);
    if (!fresh) return false;
    var keep = files();
    var oldChildren = Array.prototype.slice.call(form.children);
    var newChildren = Array.prototype.slice.call(fresh.children);
    if (oldChildren.length !== newChildren.length) return false;
    newChildren.forEach(function (node, i) {
      var old = oldChildren[i];
      if (keep && old.contains(keep)) {
        old.className = node.className;
        old.querySelectorAll(".error:not(.js-file-error)").forEach(function (e) { e.remove(); });
        node.querySelectorAll(".error:not(.js-file-error)").forEach(function (e) {
          keep.parentNode.insertBefore(document.importNode(e, true), keep);
        });
      } else {
        old.replaceWith(document.importNode(node, true));
      }
    });
    var summary = new DOMParser().parseFromString(html, "text/html").getElementById("error-summary");
    var current = document.getElementById("error-summary");
    if (current) current.remove();
    if (summary) {
      summary = document.importNode(summary, true);
      form.parentNode.insertBefore(summary, form);
      summary.focus();
    }
    showTopicFields();
    return true;
  }

  form.addEventListener("change", function (event) {
    if (event.target.name === "topic") showTopicFields();
    if (event.target.type === "file") checkFiles();
  });
  showTopicFields();
  var summary = document.getElementById("error-summary");
  if (summary) summary.focus();

  form.addEventListener("submit", function (event) {
    if (!checkFiles()) { event.preventDefault(); return; }
    var button = form.querySelector("button[type=submit]");
    var progress = form.querySelector(".upload-progress");
    var input = files();
    if (!window.XMLHttpRequest || !window.DOMParser || !input || !input.files.length) {
      if (button) button.disabled = true;  // the nonce dedupes a double submit anyway
      return;
    }
    // Upload with progress; the server answers with the same redirect or page as without JS.
    event.preventDefault();
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.upload.onprogress = function (e) {
      if (progress && e.lengthComputable) progress.value = (e.loaded / e.total) * 100;
    };
    xhr.onload = function () {
      if (xhr.status < 400) {
        // A success is always a redirect (to the thank-you or the updated status page).
        window.location = xhr.responseURL || form.action;
        return;
      }
      if (xhr.status === 400 && showErrors(xhr.responseText)) return;
      document.open(); document.write(xhr.responseText); document.close();
    };
    xhr.onerror = function () {
      if (progress) progress.hidden = true;
      if (button) button.disabled = false;
    };
    if (progress) progress.hidden = false;
    if (button) button.disabled = true;
    xhr.send(new FormData(form));
  });
})();
