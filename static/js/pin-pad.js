// The tap-friendly PIN pad of the play-mode page; the plain input keeps working without it
// (and with a keyboard).
(function () {
  var form = document.querySelector(".pin-form");
  if (!form) return;
  var input = form.querySelector("input[name=pin]"), pad = form.querySelector(".pin-pad");
  pad.hidden = false;
  pad.addEventListener("click", function (event) {
    var key = event.target.closest(".pin-key");
    if (!key || key.type === "submit") return;
    if (key.dataset.action === "back") input.value = input.value.slice(0, -1);
    else if (input.value.length < 4) input.value += key.dataset.digit;
    if (input.value.length === 4) form.submit();
  });
  input.addEventListener("input", function () {
    input.value = input.value.replace(/\D/g, "").slice(0, 4);
    if (input.value.length === 4) form.submit();
  });
})();
