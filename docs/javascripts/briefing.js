/* Briefing site behaviour: sortable tables (tablesort, shipped with the site). */
(function () {
  function init() {
    document.querySelectorAll("article table:not([class])").forEach(function (table) {
      if (!table.dataset.sortable) {
        new Tablesort(table);
        table.dataset.sortable = "1";
      }
    });
  }
  if (typeof document$ !== "undefined") {
    document$.subscribe(init);  /* Material's page-load observable */
  } else {
    document.addEventListener("DOMContentLoaded", init);
  }
})();
