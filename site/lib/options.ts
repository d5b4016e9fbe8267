/** A catalogue list's entries as select options: `{ code, label }` entries, or a 镇街's `{ id, name }`. */
export type CatalogueEntry = { code: string; label: string } | { id: string; name: string };

export const optionsOf = (entries: readonly CatalogueEntry[]) =>
  entries.map((e) => ('code' in e ? { value: e.code, text: e.label } : { value: e.id, text: e.name }));
