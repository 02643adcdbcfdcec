/**
 * The link every reminder carries to its case: the console's page for it, which signs the reader
 * in first when there is no session and then opens the case. The store id rides along so the
 * console can tell a link for another store from the one signed in.
 */
export function consoleCaseUrl(publicBaseUrl: string, storeId: string, caseId: string): string {
  return `${publicBaseUrl.replace(/\/+$/, "")}/cases/${encodeURIComponent(caseId)}?store=${encodeURIComponent(storeId)}`;
}
