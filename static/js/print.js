// «Print» buttons (data-print): shown only when this script runs, since printing needs it.
// The print stylesheet (css/print.css) decides what the paper shows.
document.querySelectorAll("[data-print]").forEach((button) => {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
});
