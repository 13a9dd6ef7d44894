// The rich-text editor of the CMS (decision 0009): Quill takes over every <textarea data-editor>.
// The textarea stays the form's field and follows every change, so the form posts HTML either
// way, and without JavaScript it simply takes HTML. The server sanitises whatever arrives.
(() => {
  'use strict';

  const Delta = Quill.import('delta');
  const icons = Quill.import('ui/icons');
  // Drawings that Quill ships in quill/assets/icons but not in its bundle (BSD-3-Clause).
  const UNDO = '<svg viewBox="0 0 18 18"><polygon class="ql-fill ql-stroke" points="6 10 4 12 2 10 6 10"/><path class="ql-stroke" d="M8.09,13.91A4.6,4.6,0,0,0,9,14,5,5,0,1,0,4,9"/></svg>';
  const REDO = '<svg viewBox="0 0 18 18"><polygon class="ql-fill ql-stroke" points="12 10 14 12 16 10 12 10"/><path class="ql-stroke" d="M9.91,13.91A4.6,4.6,0,0,1,9,14a5,5,0,1,1,5-5"/></svg>';
  const ATTACHMENT = '<svg viewBox="0 0 18 18"><path class="ql-stroke" d="M6.6,11.4L9,9a1.456,1.456,0,0,1,2.059,2.059L7.971,14.147a2.912,2.912,0,0,1-4.118-4.118l6.177-6.177a2.912,2.912,0,0,1,4.118,4.118"/></svg>';

  // Tab must move on to the next field (WCAG 2.1.2, no keyboard trap), so Quill's Tab bindings go.
  const NO_TAB = Object.fromEntries(
    ['indent', 'outdent', 'indent code-block', 'outdent code-block', 'remove tab', 'tab', 'table tab']
      .map((name) => [name, false]),
  );

  // The page's title is its h1, so the text starts at h2.
  const BLOCKS = [
    ['', 'Paragrafo'],
    ['2', 'Titolo di sezione'],
    ['3', 'Titolo di sottosezione'],
    ['4', 'Titolo di terzo livello'],
  ];

  for (const textarea of document.querySelectorAll('textarea[data-editor]')) enhance(textarea);

  function enhance(textarea) {
    const label = document.querySelector(`label[for="${textarea.id}"]`);
    label.id ||= `${textarea.id}-label`;
    const toolbar = element('div', 'rich-editor-toolbar', { role: 'toolbar', 'aria-label': `Strumenti di scrittura: ${label.textContent.trim()}` });
    const area = element('div', 'rich-editor-area');
    const wrapper = element('div', 'rich-editor');
    wrapper.append(toolbar, area);
    textarea.after(wrapper);
    textarea.hidden = true;

    const quill = new Quill(area, {
      formats: ['header', 'bold', 'italic', 'list', 'link', 'image', 'table'],
      modules: {
        table: true,
        keyboard: { bindings: NO_TAB },
        // Images come by address from the media library, never as files kept inside the text.
        uploader: { mimetypes: [] },
      },
    });
    const root = quill.root;
    root.setAttribute('role', 'textbox');
    root.setAttribute('aria-multiline', 'true');
    root.setAttribute('aria-labelledby', label.id);
    for (const name of ['aria-describedby', 'aria-invalid']) {
      if (textarea.hasAttribute(name)) root.setAttribute(name, textarea.getAttribute(name));
    }
    // The label and the error summary's link point at the hidden textarea: send them here.
    for (const pointer of [label, ...document.querySelectorAll(`a[href="#${textarea.id}"]`)]) {
      pointer.addEventListener('click', (event) => {
        event.preventDefault();
        quill.focus();
      });
    }

    quill.setContents(quill.clipboard.convert({ html: forEditor(textarea.value) }), Quill.sources.SILENT);
    quill.history.clear();
    quill.on('text-change', () => { textarea.value = toHtml(quill); });

    // Where the caret was last: the toolbar acts there after the editor has lost the focus, and
    // each action is a step of its own for undo.
    let range = { index: 0, length: 0 };
    const backToText = () => {
      quill.history.cutoff();
      quill.setSelection(range.index, range.length, Quill.sources.SILENT);
    };
    const table = quill.getModule('table');
    const tableAction = (action) => () => { backToText(); table[action](); };

    const block = element('select', 'rich-editor-block', { 'aria-label': 'Stile del paragrafo' });
    for (const [value, text] of BLOCKS) block.append(new Option(text, value));
    block.addEventListener('change', () => {
      quill.formatLine(range.index, range.length, 'header', Number(block.value) || false, Quill.sources.USER);
      // Quill takes the focus as it formats: give it back, so that the arrow keys keep choosing.
      block.focus();
    });

    const toggles = {
      bold: button(icons.bold, 'Grassetto', () => toggle('bold', true), 'Ctrl+B'),
      italic: button(icons.italic, 'Corsivo', () => toggle('italic', true), 'Ctrl+I'),
      bullet: button(icons.list.bullet, 'Elenco puntato', () => toggle('list', 'bullet')),
      ordered: button(icons.list.ordered, 'Elenco numerato', () => toggle('list', 'ordered')),
    };
    for (const b of Object.values(toggles)) b.setAttribute('aria-pressed', 'false');
    function toggle(format, value) {
      backToText();
      quill.format(format, quill.getFormat(range)[format] === value ? false : value, Quill.sources.USER);
    }

    const insertTable = textButton(icons.table, 'Tabella', () => ask('Inserisci una tabella', [
      { name: 'rows', label: 'Righe, compresa quella di intestazione', type: 'number', value: '3', min: 2, max: 100 },
      { name: 'columns', label: 'Colonne', type: 'number', value: '3', min: 1, max: 20 },
    ], ({ rows, columns }) => { backToText(); table.insertTable(Number(rows), Number(columns)); }));
    const tableButtons = [
      textButton('', 'Aggiungi riga', tableAction('insertRowBelow')),
      textButton('', 'Aggiungi colonna', tableAction('insertColumnRight')),
      textButton('', 'Elimina riga', tableAction('deleteRow')),
      textButton('', 'Elimina colonna', tableAction('deleteColumn')),
      textButton('', 'Elimina tabella', tableAction('deleteTable')),
    ];

    toolbar.append(
      group('Stile', block),
      group('Testo', toggles.bold, toggles.italic),
      group('Elenchi', toggles.bullet, toggles.ordered),
      group('Inserisci',
        textButton(icons.link, 'Collegamento', () => {
          const selected = range.length > 0;
          ask('Collegamento', [
            { name: 'href', label: 'Indirizzo', value: quill.getFormat(range).link ?? '', help: 'Per esempio https://www.example.it/pagina oppure /treviso/notizie.' },
            ...(selected ? [] : [{ name: 'text', label: 'Testo del collegamento' }]),
          ], ({ href, text }) => {
            backToText();
            if (!selected) return insertLink(text, href);
            quill.formatText(range.index, range.length, 'link', href, Quill.sources.USER);
            quill.setSelection(range.index + range.length, 0, Quill.sources.USER);
          });
        }),
        textButton(icons.image, 'Immagine', async () => {
          const { images } = await library();
          ask('Immagine', [
            {
              name: 'scelta',
              type: 'choice',
              label: 'Dalla libreria dei media',
              empty: 'La libreria dei media dello spazio non ha ancora immagini: caricale nella sezione Media.',
              options: images.map((i) => ({ label: i.name, thumbnail: i.thumbnail, fill: { src: i.src, alt: i.alt } })),
            },
            { name: 'src', label: 'Indirizzo dell\'immagine', help: 'Si compila scegliendo un\'immagine della libreria; altrimenti scrivi l\'indirizzo.' },
            { name: 'alt', label: 'Testo alternativo', help: 'Descrivi ciò che l\'immagine mostra a chi non può vederla.' },
          ], ({ src, alt }) => {
            backToText();
            const { index, length } = range;
            quill.updateContents(new Delta().retain(index).delete(length).insert({ image: src }, { alt }), Quill.sources.USER);
            quill.setSelection(index + 1, 0, Quill.sources.USER);
          });
        }),
        textButton(ATTACHMENT, 'Allegato', async () => {
          const { files } = await library();
          ask('Allegato', [
            {
              name: 'scelta',
              type: 'choice',
              label: 'Dalla libreria dei media',
              empty: 'La libreria dei media dello spazio non ha ancora documenti: caricali nella sezione Media.',
              options: files.map((f) => ({ label: f.text, fill: { href: f.href, text: f.text } })),
            },
            { name: 'href', label: 'Indirizzo del file', help: 'Si compila scegliendo un documento della libreria; altrimenti scrivi l\'indirizzo, per esempio https://….' },
            { name: 'text', label: 'Nome del file', help: 'Con formato e dimensione, per esempio: Bando di gara (PDF, 2 MB).' },
          ], ({ href, text }) => { backToText(); insertLink(text, href); });
        }),
        insertTable,
      ),
      group('Tabella', ...tableButtons),
      group('Modifiche',
        button(icons.clean, 'Rimuovi la formattazione', () => {
          backToText();
          quill.removeFormat(range.index, range.length, Quill.sources.USER);
        }),
        button(UNDO, 'Annulla', () => { quill.history.undo(); quill.focus(); }, 'Ctrl+Z'),
        button(REDO, 'Ripeti', () => { quill.history.redo(); quill.focus(); }, 'Ctrl+Maiusc+Z'),
      ),
    );

    // The space's media library, asked afresh each time: another tab may have added a file.
    async function library() {
      const none = { images: [], files: [] };
      if (!textarea.dataset.media) return none;
      try {
        const response = await fetch(textarea.dataset.media, { headers: { Accept: 'application/json' } });
        return response.ok ? await response.json() : none;
      } catch {
        return none;
      }
    }

    function insertLink(text, href) {
      const { index, length } = range;
      quill.updateContents(new Delta().retain(index).delete(length).insert(text, { link: href }), Quill.sources.USER);
      quill.setSelection(index + text.length, 0, Quill.sources.USER);
    }

    // The toolbar shows where the caret is: pressed styles, the paragraph's style, table tools.
    const controls = [...toolbar.querySelectorAll('select, button')];
    controls.forEach((c, i) => { c.tabIndex = i === 0 ? 0 : -1; });
    function update() {
      const format = quill.getFormat(range);
      toggles.bold.setAttribute('aria-pressed', String(!!format.bold));
      toggles.italic.setAttribute('aria-pressed', String(!!format.italic));
      toggles.bullet.setAttribute('aria-pressed', String(format.list === 'bullet'));
      toggles.ordered.setAttribute('aria-pressed', String(format.list === 'ordered'));
      block.value = String(format.header ?? '');
      const inTable = format.table != null;
      for (const b of tableButtons) b.disabled = !inTable;
      insertTable.disabled = inTable;
      if (!controls.some((c) => c.tabIndex === 0 && !c.disabled)) rove(controls[0]);
    }
    quill.on('editor-change', (event, now) => {
      if (event === Quill.events.SELECTION_CHANGE && now) range = now;
      update();
    });
    update();

    // One stop for Tab; the arrow keys move along the toolbar (WAI-ARIA toolbar pattern).
    toolbar.addEventListener('keydown', (event) => {
      const live = controls.filter((c) => !c.disabled);
      const at = live.indexOf(document.activeElement);
      const to = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: live.length - 1 }[event.key];
      if (at < 0 || to === undefined) return;
      event.preventDefault();
      rove(live[(to + live.length) % live.length]).focus();
    });
    function rove(target) {
      for (const c of controls) c.tabIndex = -1;
      target.tabIndex = 0;
      return target;
    }
    toolbar.addEventListener('focusin', (event) => rove(event.target));

    function ask(title, fields, done) {
      const dialog = element('dialog', 'rich-editor-dialog', { 'aria-labelledby': 'rich-editor-dialog-title' });
      const form = element('form', '', { method: 'dialog' });
      const heading = element('h2', 'h4', { id: 'rich-editor-dialog-title' });
      heading.textContent = title;
      form.append(heading);
      for (const field of fields) {
        if (field.type === 'choice') {
          form.append(choice(field, form));
          continue;
        }
        const id = `rich-editor-${field.name}`;
        const row = element('div', 'form-group');
        const fieldLabel = element('label', 'active', { for: id });
        fieldLabel.textContent = field.label;
        const input = element('input', 'form-control', { id, name: field.name, type: field.type ?? 'text', required: '' });
        input.value = field.value ?? '';
        if (field.min !== undefined) Object.assign(input, { min: field.min, max: field.max });
        row.append(fieldLabel, input);
        if (field.help) {
          const help = element('small', 'form-text', { id: `${id}-help` });
          help.textContent = field.help;
          input.setAttribute('aria-describedby', help.id);
          row.append(help);
        }
        form.append(row);
      }
      const ok = element('button', 'btn btn-primary me-2', { type: 'submit', value: 'ok' });
      ok.textContent = 'Inserisci';
      const cancel = element('button', 'btn btn-outline-primary', { type: 'button' });
      cancel.textContent = 'Annulla';
      cancel.addEventListener('click', () => dialog.close());
      form.append(ok, cancel);
      dialog.append(form);
      dialog.addEventListener('close', () => {
        const values = Object.fromEntries(new FormData(form));
        dialog.remove();
        if (dialog.returnValue === 'ok') done(values);
        else backToText();
      });
      document.body.append(dialog);
      dialog.showModal();
    }
  }

  // Radio buttons that fill in the dialog's other fields, such as the files of the library.
  function choice(field, form) {
    const set = element('fieldset', 'rich-editor-choice');
    const legend = element('legend', 'h6');
    legend.textContent = field.label;
    set.append(legend);
    if (field.options.length === 0) {
      const note = element('p', 'small');
      note.textContent = field.empty;
      set.append(note);
      return set;
    }
    const list = element('div', 'rich-editor-choices');
    field.options.forEach((option, i) => {
      const id = `rich-editor-${field.name}-${i}`;
      const row = element('div', 'form-check');
      const input = element('input', '', { type: 'radio', id, name: field.name });
      const label = element('label', '', { for: id });
      if (option.thumbnail) label.append(element('img', '', { src: option.thumbnail, alt: '' }));
      label.append(option.label);
      input.addEventListener('change', () => {
        for (const [name, value] of Object.entries(option.fill)) form.elements[name].value = value;
      });
      row.append(input, label);
      list.append(row);
    });
    set.append(list);
    return set;
  }

  // Quill has no header cells: the first row of a table is its header, in the editor and on the page.
  function forEditor(html) {
    const doc = new DOMParser().parseFromString(html, 'text/html');
    for (const th of doc.querySelectorAll('th')) retag(th, 'td');
    return doc.body.innerHTML;
  }

  function toHtml(quill) {
    if (quill.getLength() <= 1) return '';
    // Quill writes every space as &nbsp; (a real no-break space in the text stays one) and gives
    // tables a style attribute, which the parser below would report as a CSP violation.
    const html = quill.getSemanticHTML()
      .replaceAll('&nbsp;', ' ')
      .replaceAll('<table style="border: 1px solid #000;">', '<table>');
    const doc = new DOMParser().parseFromString(html, 'text/html');
    for (const table of doc.querySelectorAll('table')) {
      const first = table.rows[0];
      if (!first) continue;
      const body = first.parentElement;
      const head = doc.createElement('thead');
      head.append(first);
      table.prepend(head);
      if (body.rows.length === 0) body.remove();
      for (const td of [...first.cells]) retag(td, 'th').setAttribute('scope', 'col');
    }
    for (const cell of doc.querySelectorAll('[data-row]')) cell.removeAttribute('data-row');
    return doc.body.innerHTML;
  }

  function retag(node, tag) {
    const other = node.ownerDocument.createElement(tag);
    other.append(...node.childNodes);
    node.replaceWith(other);
    return other;
  }

  function element(tag, className, attributes = {}) {
    const el = document.createElement(tag);
    if (className) el.className = className;
    for (const [name, value] of Object.entries(attributes)) el.setAttribute(name, value);
    return el;
  }

  // A button with only an icon, named by `label`; the tooltip also tells the shortcut.
  function button(icon, label, action, shortcut) {
    const b = element('button', '', { type: 'button', 'aria-label': label, title: shortcut ? `${label} (${shortcut})` : label });
    b.innerHTML = icon;
    b.firstElementChild.setAttribute('aria-hidden', 'true');
    b.addEventListener('click', action);
    return b;
  }

  // A button that shows its name, after an icon if it has one.
  function textButton(icon, text, action) {
    const b = element('button', 'rich-editor-text', { type: 'button' });
    b.innerHTML = icon;
    b.firstElementChild?.setAttribute('aria-hidden', 'true');
    b.append(text);
    b.addEventListener('click', action);
    return b;
  }

  function group(name, ...items) {
    const g = element('div', 'rich-editor-group', { role: 'group', 'aria-label': name });
    g.append(...items);
    return g;
  }
})();
