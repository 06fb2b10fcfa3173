/** Hands text to the browser as a file download (works in both hosts: no Node, no dialog API). */
export function downloadText(text: string, filename: string, type = 'text/csv;charset=utf-8'): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  // Revoke later: the download starts asynchronously and needs the URL until it does.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
