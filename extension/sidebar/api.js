// The REST client: JSON over fetch, `Authorization: Bearer <token>`, never cookies.
// Every error becomes an ApiError carrying the server's {code, message, errors}.

export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.message) || `The server answered ${status}.`);
    this.status = status;
    this.errors = (body && body.errors) || {};
  }
}

export class ApiClient {
  /** @param {string} apiBase origin ("" = same origin); @param {() => Promise<string|null>} getToken */
  constructor(apiBase, getToken) {
    this.root = apiBase.replace(/\/+$/, "") + "/api/v1";
    this.getToken = getToken;
  }

  async request(method, path, body) {
    const headers = { Accept: "application/json" };
    const token = await this.getToken();
    if (token) headers.Authorization = `Bearer ${token}`;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    let response;
    try {
      response = await fetch(this.root + path, {
        method, headers, credentials: "omit", cache: "no-store",
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (err) {
      throw new ApiError(0, { message: "Cannot reach the Syncline server; check your connection." });
    }
    const text = await response.text();
    let data = null;
    try { data = text ? JSON.parse(text) : null; } catch { data = null; }
    if (!response.ok) throw new ApiError(response.status, data);
    return { status: response.status, data };
  }

  async get(path) { return (await this.request("GET", path)).data; }
  async post(path, body = {}) { return this.request("POST", path, body); }
  async put(path, body) { return this.request("PUT", path, body); }
  async patch(path, body) { return (await this.request("PATCH", path, body)).data; }
  async delete(path) { return this.request("DELETE", path); }

  loginUrl(returnTo) {
    return `${this.root}/auth/salesforce/login?return_to=${encodeURIComponent(returnTo)}`;
  }
}
