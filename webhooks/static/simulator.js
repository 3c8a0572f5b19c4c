// The simulator page: pick a person, chat through the real pipeline, poll for replies.
(() => {
  let address = null, lastId = 0, timer = null, polling = false, enrolled = false;
  const log = document.getElementById("log"), text = document.getElementById("text");
  const go = document.getElementById("go"), hint = document.getElementById("hint");
  const people = document.getElementById("people"), who = document.getElementById("who");

  function bubble(m) {
    const div = document.createElement("div");
    div.className = "msg " + (m.direction === "in" ? "in" : "out");
    div.dataset.id = m.id;
    div.textContent = m.body || (m.direction === "in" ? "[button]" : "");
    if (m.choices && m.choices.length) {
      const row = document.createElement("div");
      row.className = "choices";
      for (const c of m.choices) {
        const b = document.createElement("button");
        b.type = "button"; b.textContent = c.label;
        b.onclick = () => send({choice: c.id});
        row.appendChild(b);
      }
      div.appendChild(row);
    }
    log.appendChild(div);
    log.scrollTop = log.scrollHeight;
  }

  async function checkEnrolled(current) {
    const r = await fetch(`/webhooks/simulator/status?address=${encodeURIComponent(current)}`);
    if (r.ok && current === address && (await r.json()).enrolled) {
      enrolled = true;
      hint.textContent = "";
    }
  }

  // One poll at a time, and never a bubble twice: the interval and a send can both ask.
  async function poll() {
    if (!address || polling) return;
    polling = true;
    const current = address;
    try {
      const r = await fetch(`/webhooks/simulator/conversation?address=${encodeURIComponent(current)}&after=${lastId}`);
      if (!r.ok || current !== address) return;
      for (const m of await r.json()) {
        if (m.id <= lastId) continue;
        bubble(m); lastId = m.id;
      }
      if (!enrolled) await checkEnrolled(current);
    } finally {
      polling = false;
    }
  }

  async function send(body) {
    const r = await fetch("/webhooks/simulator", {
      method: "POST", headers: {"Content-Type": "application/json"},
      body: JSON.stringify({address, ...body}),
    });
    if (!r.ok) hint.textContent = "Not sent: " + (await r.text());
    poll();
  }

  document.querySelectorAll("#people li button").forEach(btn => btn.onclick = () => {
    document.querySelectorAll("#people li button").forEach(b => b.classList.remove("active"));
    btn.classList.add("active");
    address = btn.dataset.address; lastId = 0; log.innerHTML = "";
    text.disabled = go.disabled = false;
    const code = btn.dataset.code;
    enrolled = !code;
    who.textContent = btn.querySelector(".name").textContent;
    hint.textContent = code ? `Send the code ${code} to enroll.` : "";
    if (code) text.value = code;
    // On a phone the list folds away once a person is chosen; the summary reopens it.
    if (window.matchMedia("(max-width: 640px)").matches) people.open = false;
    text.focus();
    history.replaceState(null, "", `?address=${encodeURIComponent(address)}`);
    clearInterval(timer); timer = setInterval(poll, 1000); poll();
  });

  // ?address=… reopens a conversation (a bookmark, or a reload mid-chat).
  const wanted = new URLSearchParams(location.search).get("address");
  const match = wanted && document.querySelector(`#people li button[data-address="${CSS.escape(wanted)}"]`);
  if (match) match.click();

  document.getElementById("send").onsubmit = ev => {
    ev.preventDefault();
    const value = text.value.trim();
    if (!value || !address) return;
    text.value = "";
    send({text: value});
  };
})();
