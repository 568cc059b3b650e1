// drafter serve: a little progressive enhancement. Everything works without it (the
// buttons submit the form); with it, every change is saved as you go.
(function () {
  "use strict";
  var MONTHS = ["januar", "februar", "marts", "april", "maj", "juni", "juli", "august",
                "september", "oktober", "november", "december"];

  function danish(iso) {
    var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
    return m ? parseInt(m[3], 10) + ". " + MONTHS[parseInt(m[2], 10) - 1] + " " + m[1] : iso;
  }

  function iso(text) {
    var t = text.trim().toLowerCase(), m;
    if ((m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(t))) return t;
    if ((m = /^(\d{1,2})\s*[.\/-]\s*(\d{1,2})\s*[.\/-]\s*(\d{4})$/.exec(t))) return pad(m[3], m[2], m[1]);
    if ((m = /^(\d{1,2})\.?\s*([a-zæøå]+)\.?\s+(\d{4})$/.exec(t))) {
      for (var i = 0; i < 12; i++) if (MONTHS[i].indexOf(m[2]) === 0 && m[2].length >= 3) return pad(m[3], i + 1, m[1]);
    }
    return "";
  }

  function pad(y, mo, d) {
    return y + "-" + ("0" + mo).slice(-2) + "-" + ("0" + d).slice(-2);
  }

  // Reopening a commission from the list continues on the page where the person was.
  try {
    var here = document.querySelector("[data-commission]");
    if (here) localStorage.setItem("drafter-side:" + here.getAttribute("data-commission"), location.pathname);
    document.querySelectorAll("a[data-resume]").forEach(function (link) {
      var slug = link.getAttribute("data-resume");
      var last = localStorage.getItem("drafter-side:" + slug);
      if (last && last.indexOf("/k/" + slug + "/") === 0) link.href = last;
    });
  } catch (e) { /* no storage: the server's own guess is used */ }

  // A page that comes back with errors starts at their summary (its links lead to the fields).
  var shownErrors = document.querySelector(".error-summary:not([hidden])");
  if (shownErrors && !document.querySelector("[autofocus]")) {
    shownErrors.setAttribute("tabindex", "-1");
    shownErrors.focus();
  }

  // Date picker beside each date field: it fills the text field, which stays the answer.
  document.querySelectorAll("input[data-picker-for]").forEach(function (picker) {
    var field = document.getElementById(picker.getAttribute("data-picker-for"));
    if (!field) return;
    picker.hidden = false;
    picker.value = iso(field.value);
    picker.addEventListener("change", function () {
      if (picker.value) {
        field.value = danish(picker.value);
        field.dispatchEvent(new Event("change", { bubbles: true }));
      }
    });
    field.addEventListener("change", function () { picker.value = iso(field.value); });
  });

  // "Andet (skriv selv)": the free-text field shows when that option is picked.
  document.querySelectorAll("select[data-other]").forEach(function (select) {
    var wrap = document.getElementById(select.getAttribute("data-other") + "-wrap");
    if (!wrap) return;
    function sync() { wrap.hidden = select.value !== "__andet__"; }
    select.addEventListener("change", sync);
    sync();
  });

  // Questions asked only when a yes/no question is answered yes.
  document.querySelectorAll("[data-when]").forEach(function (block) {
    var yes = document.getElementById(block.getAttribute("data-when") + "-ja");
    if (!yes) return;
    var radios = document.getElementsByName(yes.name);
    function sync() { block.hidden = !yes.checked; }
    radios.forEach(function (r) { r.addEventListener("change", sync); });
    sync();
  });

  // Autosave: every change goes to the server, which checks it and writes the answer file.
  var form = document.querySelector("form[data-autosave]");
  if (!form || !window.fetch) return;
  var status = document.getElementById("autosave");
  var summary = document.getElementById("fejl");
  var timer = null, busy = false, again = false, waiting = null;

  function showErrors(errors, labels) {
    form.querySelectorAll("[data-error-for]").forEach(function (p) {
      var name = p.getAttribute("data-error-for");
      var message = errors[name] || "";
      p.textContent = message;
      p.hidden = !message;
      var input = document.getElementById(p.id.replace(/-error$/, ""));
      if (input) {
        var ids = (input.getAttribute("aria-describedby") || "").split(" ").filter(function (x) { return x && x !== p.id; });
        if (message) { input.setAttribute("aria-invalid", "true"); ids.push(p.id); }
        else input.removeAttribute("aria-invalid");
        if (ids.length) input.setAttribute("aria-describedby", ids.join(" "));
        else input.removeAttribute("aria-describedby");
      }
    });
    if (!summary) return;
    var list = summary.querySelector("ul");
    list.textContent = "";
    Object.keys(errors).forEach(function (name) {
      var li = document.createElement("li"), a = document.createElement("a");
      a.href = "#f-" + name.toLowerCase().replace(/[^a-z0-9_-]/g, "-");
      a.textContent = (labels[name] || name) + ": " + errors[name];
      li.appendChild(a);
      list.appendChild(li);
    });
    summary.hidden = Object.keys(errors).length === 0;
  }

  function save() {
    if (busy) { again = true; return; }
    busy = true;
    var body = new URLSearchParams(new FormData(form));
    body.set("action", "autosave");
    fetch(form.getAttribute("action"), {  // form.action is the button named "action"
      method: "POST", body: body, credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (r) { return r.json(); }).then(function (data) {
      if (data.saved) {
        status.className = "autosave";
        form.querySelector("input[name=version]").value = data.version;
        showErrors(data.errors || {}, data.labels || {});
        var n = Object.keys(data.errors || {}).length;
        var time = new Date().toLocaleTimeString("da-DK", { hour: "2-digit", minute: "2-digit", second: "2-digit" });
        status.textContent = n ? "Gemt kl. " + time + ", undtagen " + (n === 1 ? "ét felt" : n + " felter") + " med fejl." : "Gemt kl. " + time + ".";
        if (data.banner) status.textContent = data.banner + " " + status.textContent;
      } else {
        status.textContent = data.message || "Svarene kunne ikke gemmes.";
        status.className = "autosave error";
      }
    }).catch(function () {
      status.textContent = "Svarene kunne ikke gemmes: drafter serve svarer ikke. Kører den stadig?";
      status.className = "autosave error";
    }).then(function () {
      busy = false;
      if (waiting) {  // a button was pressed while saving: send the form now, with the new version
        var button = waiting;
        waiting = null;
        form.requestSubmit(button);
      } else if (again) {
        again = false;
        save();
      }
    });
  }

  form.addEventListener("change", function () { clearTimeout(timer); save(); });
  form.addEventListener("submit", function (event) {
    clearTimeout(timer);
    again = false;
    if (busy) {
      event.preventDefault();
      waiting = event.submitter || null;
      if (!waiting) waiting = form.querySelector("button[value=gem]");
    }
  });
  form.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(save, 1200); });
})();
