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
