// Shows the Print buttons (hidden without JavaScript, where the page says how to print instead).
document.querySelectorAll("[data-print]").forEach((button) => {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
});
