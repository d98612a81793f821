// The LTI step pages post their form at once (a button remains without JavaScript).
document.getElementById("lti-launch").submit();
