// A small element builder: the page renders with text nodes only (never innerHTML), so values
// from users, records and replies cannot inject markup.

/**
 * `el('li', {class: 'x', dataset: {sequence: 3}}, 'text', child)`; attributes set to null or
 * false are left out.
 */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === 'dataset') Object.assign(node.dataset, value);
    else if (name === 'class') node.className = value;
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  node.append(...children.flat().filter((child) => child !== null && child !== undefined && child !== false));
  return node;
}

/** The element with this id; throws if the page lacks it, so a typo fails at start-up. */
export function byId(id) {
  const node = document.getElementById(id);
  if (!node) throw new Error(`#${id} is missing from index.html`);
  return node;
}
