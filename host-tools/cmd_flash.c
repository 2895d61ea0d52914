/* vgw flash show | export-config: offline reads of a stopped gateway's
 * flash.img through the firmware's store library. */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "confcmd.h"
#include "flashimg.h"
#include "instance.h"
#include "vgw-error.h"

/* The image of a known, stopped gateway. */
static JsonObject *
describe_stopped(const char *name, GError **error)
{
  g_autoptr(VgwInstance) inst = vgw_instance_new(name, error);
  int pid;

  if (inst == NULL || !vgw_instance_load(inst, error))
    return NULL;
  if ((pid = vgw_instance_running_pid(inst)) != 0) {
    g_set_error(error, VGW_ERROR, VGW_ERROR_RUNNING,
                "gateway '%s' is running (pid %d): stop it first (vgw down) to read its flash",
                inst->name, pid);
    return NULL;
  }
  if (!g_file_test(inst->flash, G_FILE_TEST_EXISTS)) {
    g_set_error(error, VGW_ERROR, VGW_ERROR_FAILED,
                "gateway '%s' has no flash image (%s)", inst->name, inst->flash);
    return NULL;
  }
  return vgw_flash_describe(inst->flash, error);
}

gboolean
vgw_flash_show_run(gconstpointer data, GError **error)
{
  const VgwFlashOptions *opts = data;
  g_autoptr(JsonObject) o = describe_stopped(opts->name, error);
  JsonArray *blobs;

  if (o == NULL)
    return FALSE;
  if (opts->json) {
    vgw_conf_print_json(o);
    return TRUE;
  }
  printf("flash       %s\n", vgw_conf_string(o, "flash"));
  if (json_object_get_boolean_member(o, "blank"))
    printf("store       blank (factory defaults)\n");
  else
    printf("generation  %s\n", vgw_conf_string(o, "generation"));
  printf("capacity    %s bytes\n", vgw_conf_string(o, "capacity"));
  if (vgw_conf_string(o, "damage") != NULL)
    printf("damage      %s\n", vgw_conf_string(o, "damage"));
  blobs = json_object_get_array_member(o, "blobs");
  for (guint i = 0; i < json_array_get_length(blobs); i++) {
    JsonObject *b = json_array_get_object_element(blobs, i);
    printf("blob        %-24s %-14s %" G_GINT64_FORMAT " bytes\n",
           json_object_get_string_member(b, "name"),
           json_object_get_string_member(b, "type"),
           json_object_get_int_member(b, "length"));
  }
  if (vgw_conf_string(o, "config") != NULL) {
    printf("--- config.ini ---\n");
    fputs(vgw_conf_string(o, "config"), stdout);
  }
  return TRUE;
}

gboolean
vgw_flash_export_run(gconstpointer data, GError **error)
{
  const VgwFlashOptions *opts = data;
  g_autoptr(JsonObject) o = describe_stopped(opts->name, error);
  g_autoptr(GError) local = NULL;
  const char *config;

  if (o == NULL)
    return FALSE;
  config = vgw_conf_string(o, "config");
  if (config == NULL) {
    g_set_error(error, VGW_ERROR, VGW_ERROR_FAILED,
                "gateway '%s' has no saved configuration on its flash (factory defaults)",
                opts->name);
    return FALSE;
  }
  if (strcmp(opts->file, "-") == 0) {
    fputs(config, stdout);
    return TRUE;
  }
  if (!g_file_set_contents(opts->file, config, -1, &local)) {
    g_set_error(error, VGW_ERROR, VGW_ERROR_FAILED, "%s", local->message);
    return FALSE;
  }
  return TRUE;
}
