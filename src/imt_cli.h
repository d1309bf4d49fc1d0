/* imt_cli.h - subcommands of the imterm binary, declared as a table in main.c. */
#ifndef IMT_CLI_H
#define IMT_CLI_H

typedef struct imt_command {
  const char *name;
  int (*run)(int argc, char **argv);   /* argv[0] is the command name; returns the exit code */
  const char *summary;
} imt_command;

int imt_cmd_serve(int argc, char **argv);
int imt_cmd_check(int argc, char **argv);
int imt_cmd_lookup(int argc, char **argv);
int imt_cmd_sparql(int argc, char **argv);
int imt_cmd_export(int argc, char **argv);
int imt_cmd_normalize(int argc, char **argv);
int imt_cmd_misses(int argc, char **argv);
int imt_cmd_proposals(int argc, char **argv);

/* Shared option handling: if argv[*i] is "--name VALUE" or "--name=VALUE", set *value and advance
 * *i; returns 1 when matched, 0 otherwise, -1 when the value is missing (message printed). */
int imt_cli_opt(int argc, char **argv, int *i, const char *name, const char **value);
/* The same for a time (YYYY-MM-DD, YYYY-MM-DDTHH:MM:SSZ or Unix seconds, into *t) and for a whole
 * number from lo to hi (into *out); -1 (message printed) when the value is missing or bad. */
int imt_cli_opt_time(int argc, char **argv, int *i, const char *name, long long *t);
int imt_cli_opt_long(int argc, char **argv, int *i, const char *name, long lo, long hi, long *out);
/* Default data directory: $IMTERM_DATA, else the installed one. */
const char *imt_cli_default_data(void);

#endif
