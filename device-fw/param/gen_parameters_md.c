/*
 * gen-parameters-md: prints docs/parameters.md from the registry, or with
 * --check FILE exits 1 if FILE differs from what it would print (the
 * unit test that keeps the committed reference current).
 */
#include <stdio.h>
#include <string.h>

#include "param_doc.h"

int main(int argc, char **argv) {
  char *text = vgw_param_doc_markdown();
  int status = 0;
  if (argc == 3 && strcmp(argv[1], "--check") == 0) {
    char *committed = NULL;
    GError *error = NULL;
    if (!g_file_get_contents(argv[2], &committed, NULL, &error)) {
      fprintf(stderr, "gen-parameters-md: %s\n", error->message);
      g_error_free(error);
      status = 1;
    } else if (strcmp(committed, text) != 0) {
      fprintf(stderr,
              "%s is stale: it differs from the registry.\n"
              "Regenerate it: bash scripts/build.sh && "
              "build/host/device-fw/param/gen-parameters-md > "
              "docs/parameters.md\n",
              argv[2]);
      status = 1;
    }
    g_free(committed);
  } else if (argc == 1) {
    fputs(text, stdout);
  } else {
    fprintf(stderr, "usage: gen-parameters-md [--check FILE]\n");
    status = 2;
  }
  g_free(text);
  return status;
}
