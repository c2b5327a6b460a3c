// Small behaviours shared by every page; no inline scripts (the CSP forbids them).
document.addEventListener("submit", function (event) {
  var form = event.target;
  // The button pressed may ask its own question (one form, several buttons).
  var button = event.submitter;
  var question = button && button.hasAttribute("data-confirm")
    ? button.getAttribute("data-confirm")
    : form.getAttribute("data-confirm");
  // A bulk action says how many customers it changes: the ticked ones, or the whole filter.
  if (!question && form.hasAttribute("data-bulk") && !(button && button.hasAttribute("data-confirm"))) {
    var scope = form.querySelector('[name="scope"]');
    var count = scope && scope.value === "filter"
      ? form.getAttribute("data-filter-count")
      : form.querySelectorAll('input[name="customer_ids"]:checked').length;
    // An action may ask a question of its own (deleting says what goes and what stays).
    var action = form.querySelector('[name="action"]');
    var chosen = action && action.options ? action.options[action.selectedIndex] : null;
    var asked = chosen && chosen.getAttribute("data-bulk-question");
    question = (asked || form.getAttribute("data-bulk-question")).replace("{n}", count);
  }
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});

// A "select all" box ticks every box of its form named in data-check-all.
document.addEventListener("change", function (event) {
  var box = event.target;
  var name = box.getAttribute && box.getAttribute("data-check-all");
  if (!name || !box.form) {
    return;
  }
  var boxes = box.form.querySelectorAll('input[type="checkbox"][name="' + name + '"]');
  for (var i = 0; i < boxes.length; i++) {
    boxes[i].checked = box.checked;
  }
});

// A bulk action shows only the value it needs (a tag, a group, a staff member, a reason).
function showActionValues(select) {
  var form = select.form;
  var parts = form.querySelectorAll("[data-for-action]");
  for (var i = 0; i < parts.length; i++) {
    var wanted = parts[i].getAttribute("data-for-action").split(" ");
    parts[i].hidden = wanted.indexOf(select.value) < 0;
  }
}
document.addEventListener("change", function (event) {
  if (event.target.id === "bulk-action") {
    showActionValues(event.target);
  }
});
document.addEventListener("DOMContentLoaded", function () {
  var select = document.getElementById("bulk-action");
  if (select) {
    showActionValues(select);
  }
});

// A tag editor (an input with data-tag-editor): its comma-separated list shows as chips, each
// with a ×; typing a tag and pressing Enter or a comma adds it. The input itself, hidden, keeps
// the whole list, so the form sends what it would without the script.
function tagEditor(field) {
  var names = [];
  var box = document.createElement("div");
  box.className = "tag-editor form-control form-control-sm d-flex flex-wrap align-items-center gap-1";
  var typing = document.createElement("input");
  typing.type = "text";
  typing.className = "tag-editor-input border-0 flex-grow-1";
  typing.autocomplete = "off";
  ["list", "aria-describedby"].forEach(function (name) {
    if (field.hasAttribute(name)) {
      typing.setAttribute(name, field.getAttribute(name));
    }
  });
  // The field's label now names the box one types in.
  typing.id = field.id;
  field.id = field.id + "-value";
  field.removeAttribute("list");
  field.type = "hidden";
  var removeLabel = field.getAttribute("data-remove-label") || "×";

  function same(a, b) {
    return a.toLocaleLowerCase() === b.toLocaleLowerCase();
  }
  function show() {
    var chips = box.querySelectorAll(".tag-chip");
    for (var i = 0; i < chips.length; i++) {
      box.removeChild(chips[i]);
    }
    names.forEach(function (name, index) {
      var chip = document.createElement("span");
      chip.className = "badge rounded-pill text-bg-light border fw-normal tag-chip";
      chip.textContent = name;
      var remove = document.createElement("button");
      remove.type = "button";
      remove.className = "btn-close ms-1 align-middle";
      remove.setAttribute("aria-label", removeLabel + " " + name);
      remove.setAttribute("data-tag-remove", index);
      chip.appendChild(remove);
      box.insertBefore(chip, typing);
    });
    field.value = names.join(", ");
  }
  function add(text) {
    text.split(",").forEach(function (part) {
      var name = part.trim().replace(/\s+/g, " ");
      var known = names.some(function (other) { return same(other, name); });
      if (name && !known) {
        names.push(name);
      }
    });
    typing.value = "";
    show();
  }
  function suggested(text) {
    var options = typing.list ? typing.list.options : [];
    for (var i = 0; i < options.length; i++) {
      if (same(options[i].value, text)) {
        return true;
      }
    }
    return false;
  }

  typing.addEventListener("keydown", function (event) {
    // A Vietnamese input method composes letters with these keys too: let it finish.
    if (event.isComposing) {
      return;
    }
    if (event.key === ",") {
      event.preventDefault();
      add(typing.value);
    } else if (event.key === "Enter" && typing.value.trim()) {
      event.preventDefault(); // Enter on an empty box saves the form
      add(typing.value);
    } else if (event.key === "Backspace" && !typing.value && names.length) {
      names.pop();
      show();
    }
  });
  typing.addEventListener("input", function (event) {
    var picked = !event.inputType || event.inputType === "insertReplacementText";
    if (typing.value.indexOf(",") >= 0 || (picked && suggested(typing.value))) {
      add(typing.value);
    }
  });
  box.addEventListener("click", function (event) {
    var remove = event.target.closest("[data-tag-remove]");
    if (remove) {
      names.splice(Number(remove.getAttribute("data-tag-remove")), 1);
      show();
    }
    typing.focus();
  });
  // What is still typed when the form is saved counts as a tag.
  field.form.addEventListener("submit", function () {
    if (typing.value.trim()) {
      add(typing.value);
    }
  });
  box.appendChild(typing);
  field.parentNode.insertBefore(box, field);
  add(field.value);
}
document.addEventListener("DOMContentLoaded", function () {
  var fields = document.querySelectorAll("input[data-tag-editor]");
  for (var i = 0; i < fields.length; i++) {
    tagEditor(fields[i]);
  }
});

// An export of "the selected customers" takes the rows ticked in the list's own form.
document.addEventListener("submit", function (event) {
  var form = event.target;
  var list = document.getElementById("customers-form");
  if (!form.hasAttribute("data-export")) {
    return;
  }
  var copies = form.querySelectorAll('input[name="customer_ids"]');
  for (var i = 0; i < copies.length; i++) {
    form.removeChild(copies[i]);
  }
  var ticked = list ? list.querySelectorAll('input[name="customer_ids"]:checked') : [];
  for (var j = 0; j < ticked.length; j++) {
    var copy = document.createElement("input");
    copy.type = "hidden";
    copy.name = "customer_ids";
    copy.value = ticked[j].value;
    form.appendChild(copy);
  }
});

// A job's progress bar polls its status and shows the page's result once the job is over.
(function () {
  var bar = document.querySelector("[data-job-url]");
  if (!bar || !bar.getAttribute("data-job-url")) {
    return;
  }
  var inner = bar.querySelector(".progress-bar");
  var text = document.querySelector(".job-progress-text");
  function show(percent, done, total) {
    bar.setAttribute("aria-valuenow", percent);
    inner.style.width = percent + "%";
    inner.textContent = percent + "%";
    if (text && total !== null && total !== undefined) {
      text.textContent = text.getAttribute("data-template")
        .replace("{done}", done.toLocaleString("vi-VN"))
        .replace("{total}", total.toLocaleString("vi-VN"));
    }
  }
  show(Number(bar.getAttribute("aria-valuenow")) || 0, null, null);
  function poll() {
    fetch(bar.getAttribute("data-job-url"), { credentials: "same-origin", cache: "no-store" })
      .then(function (response) { return response.json(); })
      .then(function (job) {
        show(job.progress.percent, job.progress.done, job.progress.total);
        if (job.status === "done" || job.status === "failed") {
          if (text) {
            text.textContent = bar.getAttribute("data-job-done-text");
          }
          window.location.reload();
        } else {
          window.setTimeout(poll, 1000);
        }
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 500);
})();
