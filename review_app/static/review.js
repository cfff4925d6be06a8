// Keyboard shortcuts and the category switch of the review pages. Plain JavaScript, no library:
// the pages work without it (the server renders the selected category's fields), it only saves
// the reviewers' hands.
(function () {
  "use strict";

  function typing(element) {
    return !!element && (element.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(element.tagName));
  }

  function queuePage() {
    document.addEventListener("keydown", function (event) {
      if (event.ctrlKey || event.metaKey || event.altKey || typing(document.activeElement)) return;
      if (event.key === "o") {
        var first = document.querySelector("#file a.ouvrir");
        if (first) { event.preventDefault(); first.click(); }
      }
    });
  }

  function itemPage(form) {
    var select = form.querySelector("#category");

    // Show the chosen category's fields; a hidden fieldset is also disabled, so it is not sent.
    function showCategory() {
      var fieldsets = form.querySelectorAll("fieldset[data-category]");
      for (var i = 0; i < fieldsets.length; i++) {
        var active = fieldsets[i].getAttribute("data-category") === select.value;
        fieldsets[i].hidden = !active;
        fieldsets[i].disabled = !active;
      }
    }

    function submit(action) {
      var button = form.querySelector('button[name="action"][value="' + action + '"]');
      if (!button) return;
      if (form.requestSubmit) { form.requestSubmit(button); } else { button.click(); }
    }

    select.addEventListener("change", showCategory);
    showCategory();

    document.addEventListener("keydown", function (event) {
      if ((event.ctrlKey || event.metaKey) && event.key === "Enter") {
        event.preventDefault();
        submit("correct");
        return;
      }
      if (event.key === "Escape" && typing(document.activeElement)) {
        document.activeElement.blur();
        return;
      }
      if (event.ctrlKey || event.metaKey || event.altKey || typing(document.activeElement)) return;
      var actions = { c: "confirm", s: "correct", h: "out_of_scope" };
      if (actions[event.key]) {
        event.preventDefault();
        submit(actions[event.key]);
      } else if (event.key === "e") {
        event.preventDefault();
        select.focus();
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("decision");
    if (form) { itemPage(form); } else if (document.getElementById("file")) { queuePage(); }
  });
})();
