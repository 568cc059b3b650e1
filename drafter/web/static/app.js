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

  // A command to type in a terminal (after a failed save): the button copies it; where the
  // clipboard is not allowed, the command is selected, ready for Ctrl-C.
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-copy]") : null;
    if (!button) return;
    var code = button.parentNode.querySelector("code");
    var range = document.createRange();
    range.selectNodeContents(code);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    function done() { button.textContent = "Kopieret"; }
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(code.textContent).then(done, function () { button.textContent = "Markeret: tryk Ctrl-C"; });
    } else {
      button.textContent = "Markeret: tryk Ctrl-C";
    }
  });

  function commandBox(command) {
    var box = document.createElement("span"), code = document.createElement("code"), button = document.createElement("button");
    box.className = "command";
    code.textContent = command;  // text, never markup
    button.type = "button";
    button.className = "copy";
    button.setAttribute("data-copy", "");
    button.textContent = "Kopiér kommandoen";
    box.appendChild(code);
    box.appendChild(document.createTextNode(" "));
    box.appendChild(button);
    return box;
  }

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

  // The skip link puts the focus in the first field (one Tab and Enter from the top).
  document.querySelectorAll("a[data-skip]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      var target = document.getElementById(link.getAttribute("href").slice(1));
      if (target) { event.preventDefault(); target.focus(); }
    });
  });

  // A PDF being made: ask for its state, and show the page again when it is done.
  var job = document.querySelector("[data-job]");
  if (job && window.fetch) {
    var poll = function () {
      fetch(job.getAttribute("data-job"), { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (r) { return r.json(); })
        .then(function (data) { if (data.state === "running") setTimeout(poll, 1000); else location.reload(); })
        .catch(function () { setTimeout(poll, 3000); });
    };
    setTimeout(poll, 1000);
  }

  // Autosave: every change goes to the server, which checks it and writes the answer file.
  var form = document.querySelector("form[data-autosave]");
  if (!form || !window.fetch) return;
  var status = document.getElementById("autosave");
  var summary = document.getElementById("fejl");
  // leaving: the page is being left (Back, reload, a link, a button): a reply that arrives now
  // no longer clears the kept draft, since the next page may have been made before that save
  // reached the file (it restores the draft where the file is still as typed over).
  // keptInFlight: the save under way is a keepalive request, which leaving does not cancel.
  // inFlight: the form the save under way sent.
  var timer = null, busy = false, again = false, waiting = null, leaving = false, keptInFlight = false, inFlight = null;
  var KEEPALIVE_BYTES = 60000;  // a browser keeps at most 64 KB of keepalive requests under way
  var draftKey = "drafter-kladde:" + form.getAttribute("action");
  var baseInput = form.querySelector("input[name=base]");

  // What is typed and not yet saved is kept in the browser until the server has it, so
  // Back, reload or a closed tab loses nothing (restored below, when the page comes back).
  function readDraft() {
    try { return JSON.parse(localStorage.getItem(draftKey) || "null"); } catch (e) { return null; }
  }
  function writeDraft(draft) {
    try {
      if (draft && Object.keys(draft.fields).length) localStorage.setItem(draftKey, JSON.stringify(draft));
      else localStorage.removeItem(draftKey);
    } catch (e) { /* no storage: the save on leaving still runs */ }
  }
  function baseOf(text) {
    var map = {};
    (text || "").split(",").forEach(function (pair) { var i = pair.indexOf(":"); if (i > 0) map[pair.slice(0, i)] = pair.slice(i + 1); });
    return map;
  }
  function questionOf(name) { return name.split(".")[1] || ""; }
  // A base names the file's answer first, then any suggestion the page showed in its place
  // ("key:digest|digest"); only the file's answer says whether it changed since.
  function fileDigest(digests) { return (digests || "").split("|")[0]; }
  function fieldValue(name) {
    var fields = form.elements[name];
    if (!fields) return null;
    if (fields.length !== undefined && fields.tagName !== "SELECT") {
      for (var i = 0; i < fields.length; i++) if (fields[i].checked) return fields[i].value;
      return "";
    }
    return fields.value;
  }
  function remember(target) {
    if (!target || !target.name || target.type === "hidden" || target.type === "submit") return;
    var draft = readDraft() || { base: baseInput ? baseInput.value : "", fields: {} };
    draft.fields[target.name] = fieldValue(target.name);
    writeDraft(draft);
  }

  // Whether the page shows the answer to the question of *name* as the form *sent* had it.
  function showsAsSent(name, sent) {
    var prefix = name.split(".").slice(0, 2).join("."), names = {}, same = true;
    function its(n) { return n === prefix || n.indexOf(prefix + ".") === 0; }
    sent.forEach(function (value, n) { if (its(n)) names[n] = true; });
    Array.prototype.forEach.call(form.elements, function (el) { if (el.name && its(el.name)) names[el.name] = true; });
    Object.keys(names).forEach(function (n) { if ((sent.get(n) || "") !== (fieldValue(n) || "")) same = false; });
    return same;
  }

  (function restore() {
    var draft = readDraft();
    if (!draft || !baseInput) return;
    var saved = baseOf(draft.base), now = baseOf(baseInput.value), restored = 0;
    var pending = (draft.pending || []).map(function (text) { return new URLSearchParams(text); });
    // Only where the file still holds what the text was typed over (not changed elsewhere):
    // as the page it was typed on was made, or as that page's own saves, whose replies it did
    // not live to see, left it. Decided before any field is filled in.
    var keep = {};
    Object.keys(draft.fields).forEach(function (name) {
      var q = questionOf(name);
      keep[name] = !!form.elements[name] && (fileDigest(saved[q]) === fileDigest(now[q]) ||
        pending.some(function (sent) { return showsAsSent(name, sent); }));
    });
    Object.keys(draft.fields).forEach(function (name) {
      var fields = form.elements[name];
      if (!keep[name]) { delete draft.fields[name]; return; }
      var value = draft.fields[name];
      if (fieldValue(name) === value) { delete draft.fields[name]; return; }  // the page shows it: the file has it
      if (fields.length !== undefined && fields.tagName !== "SELECT") {
        for (var i = 0; i < fields.length; i++) fields[i].checked = fields[i].value === value;
      } else {
        fields.value = value;
        fields.dispatchEvent(new Event("change", { bubbles: false }));
      }
      restored++;
    });
    draft.base = baseInput.value;
    draft.pending = [];
    writeDraft(draft);
    if (restored) {
      status.textContent = "Det, du skrev, før siden blev forladt, er sat ind igen og gemmes nu.";
      setTimeout(save, 0);
    }
  })();

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

  function showConflicts(conflicts) {
    form.querySelectorAll("[data-conflict-for]").forEach(function (p) {
      var text = conflicts[p.getAttribute("data-conflict-for")];
      if (text === undefined) { if (!leaving) p.hidden = true; return; }
      p.querySelector(".theirs").textContent = text;
      p.hidden = false;
    });
  }

  function failed(message, command) {
    status.textContent = message;
    if (command) status.appendChild(commandBox(command));
    status.className = "autosave error";
  }

  function body() {
    var data = new URLSearchParams(new FormData(form));
    data.set("action", "autosave");
    return data.toString();  // percent-encoded: its length is its size in bytes
  }

  // A form sent: noted in the kept draft until its reply comes (see restore).
  function sending(payload) {
    var draft = readDraft();
    if (!draft) return;
    draft.pending = (draft.pending || []).concat([payload]).slice(-3);
    writeDraft(draft);
  }

  function post(payload, keepalive) {
    return fetch(form.getAttribute("action"), {  // form.action is the button named "action"
      method: "POST", body: payload, credentials: "same-origin", keepalive: keepalive,
      headers: { "Accept": "application/json", "Content-Type": "application/x-www-form-urlencoded;charset=UTF-8" }
    });
  }

  function save() {
    clearTimeout(timer);
    timer = null;
    if (busy) { again = true; return; }
    busy = true;
    var sent = (readDraft() || { fields: {} }).fields;
    var payload = body();
    // A keepalive request is not cancelled when the page is left, so a save once started
    // reaches the file; one too big for that is sent again by flush() on leaving.
    keptInFlight = payload.length <= KEEPALIVE_BYTES;
    inFlight = payload;
    sending(payload);
    post(payload, keptInFlight).then(function (r) {
      return r.json().then(function (data) { return data; }, function () { return { saved: false, status: r.status }; });
    }).then(function (data) {
      if (data.saved) {
        status.className = Object.keys(data.conflicts || {}).length ? "autosave warn" : "autosave";
        form.querySelector("input[name=version]").value = data.version;
        if (baseInput && data.base) baseInput.value = data.base;
        var errors = data.errors || {}, conflicts = data.conflicts || {};
        showErrors(errors, data.labels || {});
        showConflicts(conflicts);
        var draft = leaving ? null : readDraft();
        if (draft) {  // saved now: forget it, unless retyped since or refused
          Object.keys(draft.fields).forEach(function (name) {
            if (sent[name] === draft.fields[name] && !errors[name] && conflicts[name.split(".").slice(0, 2).join(".")] === undefined) delete draft.fields[name];
          });
          draft.base = baseInput ? baseInput.value : "";
          draft.pending = [];
          writeDraft(draft);
        }
        var n = Object.keys(errors).length, c = Object.keys(conflicts).length;
        var time = new Date().toLocaleTimeString("da-DK", { hour: "2-digit", minute: "2-digit", second: "2-digit" });
        status.textContent = n ? "Gemt kl. " + time + ", undtagen " + (n === 1 ? "ét felt" : n + " felter") + " med fejl." : "Gemt kl. " + time + ".";
        if (c) status.textContent += " " + (c === 1 ? "Ét svar" : c + " svar") + " er ændret et andet sted imens: " +
          "dit eget står i feltet, det i filen under det. Gem igen for at bruge dit eget.";
        if (data.banner) status.textContent = data.banner + " " + status.textContent;
        status.setAttribute("data-saves", String(parseInt(status.getAttribute("data-saves") || "0", 10) + 1));
      } else if (data.login) {
        failed("Ikke gemt: drafter serve kender ikke denne fane længere (den er nok startet igen). Log ind igen ved at åbne " +
               "adressen med nøglen, som drafter serve viste, da den startede; det, du har skrevet, står her stadig.");
      } else {
        failed(data.message || "Svarene kunne ikke gemmes.", data.command);
      }
    }).catch(function () {
      failed("Ikke gemt: drafter serve svarer ikke (er den stoppet?). Det, du har skrevet, står her stadig og bliver " +
             "husket i browseren, til serveren kører igen.");
    }).then(function () {
      busy = false;
      keptInFlight = false;
      inFlight = null;
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

  // Leaving the page (Back, reload, another address) with typing not yet saved (waiting for its
  // timer, queued behind the save under way, or in a save the leaving cancels): send it now;
  // keepalive lets the request finish after the page is gone. The draft above is the fallback.
  function flush() {
    leaving = true;
    if (timer === null && !again && !(busy && !keptInFlight)) return;  // everything typed is on its way
    clearTimeout(timer);
    timer = null;
    again = false;
    var payload = body(), sent = payload;
    if (busy) {
      keptInFlight = true;  // sent now (a second event of the same leaving sends nothing more)
      // Sent beside the save under way, from the same page: the server counts what that one
      // typed as this page's own (it may reach the file first), not as a change made elsewhere.
      if (inFlight) sent += "&forrige=" + encodeURIComponent(inFlight);
    }
    sending(payload);
    try {
      post(sent, true).catch(function () {});
    } catch (e) { /* the draft is kept */ }
  }
  window.addEventListener("pagehide", flush);
  window.addEventListener("beforeunload", flush);
  // Still here after all (a navigation stopped, a page back from the browser's cache, typing again).
  window.addEventListener("pageshow", function () { leaving = false; });

  form.addEventListener("change", function (event) {
    leaving = false;
    remember(event.target);
    clearTimeout(timer);
    timer = null;
    save();
  });
  form.addEventListener("submit", function (event) {
    clearTimeout(timer);
    timer = null;
    again = false;
    if (busy) {
      event.preventDefault();
      waiting = event.submitter || null;
      if (!waiting) waiting = form.querySelector("button[value=gem]");
    }
  });
  form.addEventListener("input", function (event) {
    leaving = false;
    remember(event.target);
    clearTimeout(timer);
    timer = setTimeout(save, 1200);
  });
})();
