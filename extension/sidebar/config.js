// Where the API lives. Empty = the origin this page was served from (the API serves this
// folder at /sidebar/). `python extension/build.py --api-url ...` overwrites this file in
// the Chrome package, whose pages live at chrome-extension://<id>/.
export const config = { apiBase: "" };
