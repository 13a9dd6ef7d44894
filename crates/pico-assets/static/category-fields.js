// Ticket forms: shows only the extra fields of the chosen category. Without this script every
// category's fields are shown, each in a fieldset named after its category, and the server
// reads only the chosen one's.
(function () {
  "use strict";
  var select = document.getElementById("categoria");
  var groups = document.querySelectorAll("fieldset[data-category-fields]");
  if (!select || groups.length === 0) {
    return;
  }
  function show() {
    groups.forEach(function (group) {
      group.hidden = group.getAttribute("data-category-fields") !== select.value;
    });
  }
  select.addEventListener("change", show);
  show();
})();
