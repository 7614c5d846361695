// The live part of /me (通知): an EventSource on the notification stream, signed in by the
// page session's cookie. Each new item is added at the top of the unread list and the
// unread count (one per topic, as the server counts) goes up. Without JavaScript the page
// is complete; this only saves a reload.
(function () {
  "use strict";
  var section = document.getElementById("notifications");
  var count = document.getElementById("unread-count");
  if (!section || !count || !window.EventSource) {
    return;
  }
  var topics = {};
  var items = section.querySelectorAll("[data-topic]");
  for (var i = 0; i < items.length; i++) {
    topics[items[i].getAttribute("data-topic")] = true;
  }
  var kinds = (section.getAttribute("data-kinds") || "").split(" ");
  var source = new EventSource(section.getAttribute("data-stream"));
  function added(e) {
    var item;
    try {
      item = JSON.parse(e.data);
    } catch (err) {
      return;
    }
    if (item.topic_id === null || !topics[String(item.topic_id)]) {
      count.textContent = String(Number(count.textContent || "0") + 1);
      if (item.topic_id !== null) {
        topics[String(item.topic_id)] = true;
      }
    }
    var none = document.getElementById("no-unread");
    if (none) {
      none.hidden = true;
    }
    var list = document.getElementById("live-list");
    var li = document.createElement("li");
    li.className = "card notice unread";
    var p = document.createElement("p");
    var a = document.createElement("a");
    a.href = item.url;
    var strong = document.createElement("strong");
    strong.textContent = item.title;
    a.appendChild(strong);
    p.appendChild(a);
    li.appendChild(p);
    var body = document.createElement("p");
    body.textContent = item.body;
    li.appendChild(body);
    list.insertBefore(li, list.firstChild);
  }
  for (var k = 0; k < kinds.length; k++) {
    if (kinds[k]) {
      source.addEventListener(kinds[k], added);
    }
  }
})();
