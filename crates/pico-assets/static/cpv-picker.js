// The CPV picker of the SUA's request form: a plain text input that works without JavaScript
// (codes separated by commas, checked on the server), enhanced here with suggestions fetched
// from the vocabulary as the person types words instead of a code.
(function () {
  'use strict';
  document.querySelectorAll('input[data-cpv-search]').forEach(function (input) {
    var url = input.getAttribute('data-cpv-search');
    var list = document.createElement('ul');
    list.id = input.id + '-suggerimenti';
    list.className = 'list-group cpv-suggestions';
    list.setAttribute('aria-label', 'Codici CPV suggeriti');
    list.hidden = true;
    var status = document.createElement('p');
    status.className = 'visually-hidden';
    status.setAttribute('role', 'status');
    status.setAttribute('aria-live', 'polite');
    input.insertAdjacentElement('afterend', list);
    list.insertAdjacentElement('afterend', status);
    input.setAttribute('aria-controls', list.id);
    var timer = null;
    var asked = 0;

    function lastWords() {
      var parts = input.value.split(',');
      return parts[parts.length - 1].trim();
    }

    function choose(item) {
      var parts = input.value.split(',').map(function (p) { return p.trim(); });
      parts[parts.length - 1] = item.display_code;
      input.value = parts.filter(function (p) { return p !== ''; }).join(', ') + ', ';
      list.hidden = true;
      list.textContent = '';
      status.textContent = 'Aggiunto ' + item.display_code + ' ' + item.label;
      input.focus();
    }

    function show(items) {
      list.textContent = '';
      items.forEach(function (item) {
        var li = document.createElement('li');
        li.className = 'list-group-item p-0';
        var button = document.createElement('button');
        button.type = 'button';
        button.className = 'btn btn-link text-start w-100';
        button.textContent = item.display_code + ' – ' + item.label;
        button.addEventListener('click', function () { choose(item); });
        li.appendChild(button);
        list.appendChild(li);
      });
      list.hidden = items.length === 0;
      status.textContent = items.length === 0
        ? 'Nessun codice CPV trovato'
        : items.length + ' codici CPV suggeriti';
    }

    input.addEventListener('input', function () {
      clearTimeout(timer);
      var words = lastWords();
      if (words.length < 3 || /^\d{8}(-\d)?$/.test(words)) {
        list.hidden = true;
        return;
      }
      timer = setTimeout(function () {
        var mine = ++asked;
        fetch(url + '?q=' + encodeURIComponent(words), { headers: { Accept: 'application/json' } })
          .then(function (r) { return r.ok ? r.json() : []; })
          .then(function (items) { if (mine === asked) { show(items); } })
          .catch(function () { list.hidden = true; });
      }, 250);
    });
  });
})();
