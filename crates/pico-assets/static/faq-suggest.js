// FAQ suggestions under a help request's subject: as the person types, the entries of the
// space's FAQ that match are listed as links, so that an answer already written is found
// before the request is sent. Without JavaScript the form works the same, without the list.
(function () {
  'use strict';
  document.querySelectorAll('input[data-faq-suggest]').forEach(function (input) {
    var url = input.getAttribute('data-faq-suggest');
    var box = document.createElement('div');
    box.id = input.id + '-faq';
    // Room below: Bootstrap Italia lifts the next field's label above its input.
    box.className = 'mb-5';
    box.hidden = true;
    var heading = document.createElement('p');
    heading.className = 'small mb-1';
    heading.textContent = 'Forse trovi già la risposta nelle domande frequenti:';
    var list = document.createElement('ul');
    list.className = 'list-unstyled mb-0';
    box.appendChild(heading);
    box.appendChild(list);
    var status = document.createElement('p');
    status.className = 'visually-hidden';
    status.setAttribute('role', 'status');
    status.setAttribute('aria-live', 'polite');
    var anchor = input.parentElement.classList.contains('form-group') ? input.parentElement : input;
    anchor.insertAdjacentElement('afterend', box);
    box.insertAdjacentElement('afterend', status);
    var timer = null;
    var asked = 0;

    function show(entries) {
      list.textContent = '';
      entries.forEach(function (entry) {
        var li = document.createElement('li');
        var link = document.createElement('a');
        link.href = entry.href;
        link.target = '_blank';
        link.rel = 'noopener';
        link.textContent = entry.question + ' (si apre in una nuova scheda)';
        li.appendChild(link);
        list.appendChild(li);
      });
      box.hidden = entries.length === 0;
      status.textContent = entries.length === 0
        ? ''
        : entries.length + (entries.length === 1 ? ' domanda frequente' : ' domande frequenti') + ' sull\'argomento';
    }

    input.addEventListener('input', function () {
      clearTimeout(timer);
      var words = input.value.trim();
      if (words.length < 3) {
        show([]);
        return;
      }
      timer = setTimeout(function () {
        var mine = ++asked;
        fetch(url + '?q=' + encodeURIComponent(words), { headers: { Accept: 'application/json' } })
          .then(function (r) { return r.ok ? r.json() : []; })
          .then(function (entries) { if (mine === asked) { show(entries); } })
          .catch(function () { show([]); });
      }, 250);
    });
  });
})();
