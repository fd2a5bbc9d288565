/* aligncat timeline: the drawing is wider than the page, years across, oldest on the left. It opens scrolled to its
   right end, so the most recent works are in view (recent on the right), and each lane's title stays in view while
   the drawing scrolls sideways. Without this script the drawing still shows, from its left end. */
(function () {
  "use strict";

  function init() {
    document.querySelectorAll(".ac-timeline-scroll").forEach(function (scroller) {
      if (scroller.dataset.ready) return;
      scroller.dataset.ready = "1";
      var titles = scroller.querySelectorAll(".ac-lane-title");
      var follow = function () {
        var dx = scroller.scrollLeft;
        titles.forEach(function (t) { t.setAttribute("transform", "translate(" + dx + " 0)"); });
      };
      scroller.addEventListener("scroll", follow, { passive: true });
      scroller.scrollLeft = scroller.scrollWidth - scroller.clientWidth;
      follow();
      scroller.dataset.opened = "end";
    });
  }

  if (window.document$ && window.document$.subscribe) window.document$.subscribe(init);  // Material instant nav
  else if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
