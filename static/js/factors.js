// After django-otp-webauthn registered a passkey: on to the page the enrolment names (the recovery codes, or
// "Sicherheit" again with the new passkey listed). Without JavaScript no passkey can be made at all.
document.addEventListener("otp_webauthn.register_complete", function () {
  var box = document.querySelector("[data-after-register]");
  window.location.assign(box ? box.getAttribute("data-after-register") : "/sicherheit/");
});
