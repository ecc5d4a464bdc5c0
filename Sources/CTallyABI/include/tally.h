/*
 * tally.h — Tally's C ABI: aggregation methods over answers factorised into int32 codes.
 *
 * Every method of Tally's method registry is reachable by name (tally_method_json lists them).
 * Inputs are plain arrays the caller owns; results are copied into caller-owned buffers from an
 * opaque result handle the caller frees. No function keeps state between calls, so any number of
 * threads may call them at once (each on its own handles).
 *
 * Strings are UTF-8. Name tables are one byte buffer and count+1 offsets (name i is
 * bytes[offsets[i] ..< offsets[i+1]]); a table with bytes == NULL names entry i by its decimal code.
 * Functions that write a string return the length it needs (without the terminating NUL) and
 * write at most capacity bytes including the NUL; call again with a larger buffer if needed.
 */
#ifndef TALLY_H
#define TALLY_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The version of this interface; it changes when a declaration here changes. */
#define TALLY_ABI_VERSION 2

/* Error codes in tally_error.code. */
#define TALLY_OK 0
#define TALLY_ERROR_INPUT 1        /* bad data or arguments (maps to a ValueError / exit 65) */
#define TALLY_ERROR_AGGREGATION 2  /* the method cannot aggregate these data with these settings */
#define TALLY_ERROR_IO 3           /* a file cannot be read */
#define TALLY_ERROR_OTHER 4

/* What went wrong; filled by every function that takes one (code TALLY_OK on success). */
typedef struct tally_error {
    int32_t code;
    char message[1024];
} tally_error;

/* A table of names: count names, name i = bytes[offsets[i] ..< offsets[i+1]]. */
typedef struct tally_names {
    int64_t count;
    const char *bytes;      /* NULL: name i is the decimal code i */
    const int64_t *offsets; /* count + 1 entries; ignored when bytes is NULL */
} tally_names;

/* Answers as three columns of codes into the name tables. Every task and worker must have an
 * answer. Task and worker codes are kept as ids in the results; labels are reported in Tally's
 * label order (see tally_result_label_order). */
typedef struct tally_answers {
    int64_t count;
    const int32_t *task;
    const int32_t *worker;
    const int32_t *label;
    tally_names tasks;
    tally_names workers;
    tally_names labels;
} tally_answers;

/* What a method may use besides the answers; leave a count at 0 for none. */
typedef struct tally_inputs {
    /* Gold labels: gold_task[i] is a task code, gold_label[i] a code into gold_labels (gold
     * labels may name a label no worker gave). */
    int64_t gold_count;
    const int32_t *gold_task;
    const int32_t *gold_label;
    tally_names gold_labels;
    /* Fixed worker weights (majority vote's skills): worker code, weight. */
    int64_t weight_count;
    const int32_t *weight_worker;
    const double *weight_value;
    /* Initial confusion counts (Dawid-Skene's initial_error): worker code, answered label code,
     * true label code (both into tally_answers.labels), value. */
    int64_t initial_count;
    const int32_t *initial_worker;
    const int32_t *initial_answer;
    const int32_t *initial_truth;
    const double *initial_value;
} tally_inputs;

/* An opaque fitted result; free it with tally_result_free. */
typedef struct tally_result tally_result;
/* An opaque table of answers read from a file; free it with tally_table_free. */
typedef struct tally_table tally_table;

/* TALLY_ABI_VERSION of the library. */
int32_t tally_abi_version(void);

/* The number of methods in the registry. */
int32_t tally_method_count(void);

/* Method i as JSON: {"name","title","summary","citation","family","crowd_kit_class",
 * "label_counts","needs_gold","makes_confusions","tables":[...],"parameters":[{"name","summary",
 * "type","default","choices","crowd_kit"}]}. Returns the length needed, -1 for a bad index. */
int64_t tally_method_json(int32_t index, char *buffer, int64_t capacity);

/* Fits method `method` (a registry name such as "ds") on the answers. options_json (may be NULL)
 * is a JSON object: method parameters by name ("max-iterations": 20, "tolerance": 1e-5,
 * "em": "hybrid", ...) plus these settings: "compat": "none" | "crowd-kit", "threads": n,
 * "on-missing-skill": "error" | "ignore" | "mean" | "value", "default-skill": x,
 * "initial-error-strategy": "assign" | "addition". `inputs` may be NULL.
 * Returns NULL and fills `error` on failure. */
tally_result *tally_fit(const char *method, const char *options_json, const tally_answers *answers,
                        const tally_inputs *inputs, tally_error *error);

void tally_result_free(tally_result *result);

/* Sizes: tasks T, workers W, labels K (K in Tally's order). */
int64_t tally_result_task_count(const tally_result *result);
int64_t tally_result_worker_count(const tally_result *result);
int64_t tally_result_label_count(const tally_result *result);
/* Iterations run, or -1 when the method reports none. */
int64_t tally_result_iterations(const tally_result *result);

/* out[k] (K entries): the caller's label code of Tally's label k (Tally orders labels as
 * numbers when all are integers, else by Unicode scalars; ties go to the first). */
void tally_result_label_order(const tally_result *result, int32_t *out);
/* out[t] (T entries): the chosen label of task t, as the caller's label code. */
void tally_result_labels(const tally_result *result, int32_t *out);
/* out[t*K + k] (T*K entries): probabilities, columns in Tally's label order. */
void tally_result_probabilities(const tally_result *result, double *out);
/* Skills per worker (W entries) into out (may be NULL to ask); returns 1 if the method has
 * skills, else 0. */
int32_t tally_result_skills(const tally_result *result, double *out);
/* Class priors (K entries, Tally's label order); returns 1 if the method has them, else 0. */
int32_t tally_result_priors(const tally_result *result, double *out);
/* Loss per iteration into out (at most capacity); returns the count, or -1 if none. */
int64_t tally_result_loss_history(const tally_result *result, double *out, int64_t capacity);
/* Confusion matrices: values[(w*K + answered)*K + truth] (W*K*K) and observed[w*K + answered]
 * (W*K; 1 when worker w gave that label); either may be NULL. Returns 1 if the method has them. */
int32_t tally_result_confusions(const tally_result *result, double *values, uint8_t *observed);
/* Further tables (MACE's spamming and strategies, GLAD's betas, ...). */
int32_t tally_result_table_count(const tally_result *result);
/* Table i as JSON {"name","rows":"worker"|"task","row_count","columns":[...]}; -1 for a bad index. */
int64_t tally_result_table_json(const tally_result *result, int32_t index, char *buffer, int64_t capacity);
/* Table i's values, row-major (row_count * columns entries); returns 0, or -1 for a bad index. */
int32_t tally_result_table_values(const tally_result *result, int32_t index, double *out);
/* The method's notes for a person, one per line. */
int64_t tally_result_notes(const tally_result *result, char *buffer, int64_t capacity);

/* Reads answers from a file in any format the CLI reads (crowd-kit TSV/CSV, Toloka TSV export,
 * JSON Lines). options_json (may be NULL): {"format": "auto"|"crowdkit"|"toloka"|"jsonl",
 * "label_column": ..., "task_column": ..., "include_rejected": bool}. NULL on failure. */
tally_table *tally_read_answers(const char *path, const char *options_json, tally_error *error);
void tally_table_free(tally_table *table);
/* out[0..3] = answers, tasks, workers, labels. */
void tally_table_counts(const tally_table *table, int64_t *out);
/* The answers' codes (answers entries each; labels in Tally's order). */
void tally_table_codes(const tally_table *table, int32_t *task, int32_t *worker, int32_t *label);
/* Names of which = 0 tasks, 1 workers, 2 labels: bytes into buffer (at most capacity), count+1
 * offsets into offsets (may be NULL). Returns the bytes needed, -1 for a bad `which`. */
int64_t tally_table_names(const tally_table *table, int32_t which, char *buffer, int64_t capacity, int64_t *offsets);

/* Returns the UTF-8 bytes of one item and their length, or NULL when the item is not text. */
typedef const char *(*tally_utf8_fn)(const void *item, int64_t *length);

/* Factorises count items by their UTF-8 text (byte for byte): codes[i] is the item's code, codes in
 * order of first appearance, and first[c] (capacity count) the index of code c's first item. For a
 * caller whose strings are objects: `utf8` reads an object's text (Python's PyUnicode_AsUTF8AndSize,
 * called with the GIL held). Returns the number of distinct texts, or -1 with `error` filled when
 * `utf8` returns NULL (error->message names the item). */
int64_t tally_factorize(int64_t count, const void *const *items, tally_utf8_fn utf8, int32_t *codes, int64_t *first,
                        tally_error *error);

/* Accuracy and macro-F1 of predictions against gold (Tally's Evaluation): both are (task code,
 * label code) pairs into the same name tables. out[0] = accuracy, out[1] = macro-F1,
 * out[2] = tasks scored, out[3] = gold tasks. Returns 0, or -1 with `error` filled. */
int32_t tally_evaluate(int64_t prediction_count, const int32_t *prediction_task, const int32_t *prediction_label,
                       int64_t gold_count, const int32_t *gold_task, const int32_t *gold_label,
                       const tally_names *tasks, const tally_names *labels, double *out, tally_error *error);

/* ---- EM as sufficient statistics over partitions of tasks (Spark, map-reduce) ----
 *
 * Executors: each partition holds whole tasks, numbered 0..tasks-1 locally, with global worker
 * codes (0..workers-1) and global label codes in Tally's label order (tally_label_order). A pass
 * reads the driver's parameters and writes a vector of statistics that adds up element-wise over
 * partitions, plus the tasks' posteriors (tasks*labels) and first-max labels on request.
 * Passes: 0 Dawid-Skene start (majority-vote posteriors scattered into count tables), 1 Dawid-Skene
 * E-step, 2 majority vote with each worker's agreement counts, 3 vote weighted per worker.
 * Driver: tally_partitioned_fit_* says which pass runs next with which parameters, takes the
 * summed statistics (M-step, loss, the single-machine stopping rule), and once done names the pass
 * (and parameters) that give the reported posteriors. Methods: "ds", "onecoin-ds", "mv", "wawa";
 * options_json as tally_fit's ("max-iterations", "tolerance", "em"; other parameters must keep
 * their defaults). */
typedef struct tally_partition tally_partition;
typedef struct tally_partitioned_fit tally_partitioned_fit;

/* A partition of count answers; NULL with error filled on a bad code or a task without answers. */
tally_partition *tally_partition_new(int64_t count, const int32_t *task, const int32_t *worker, const int32_t *label,
                                     int64_t tasks, int64_t workers, int64_t labels, tally_error *error);
void tally_partition_free(tally_partition *partition);
/* Lengths of a pass's statistics and parameters; -1 for an unknown pass. */
int64_t tally_pass_statistics_count(int32_t pass, int64_t workers, int64_t labels);
int64_t tally_pass_parameter_count(int32_t pass, int64_t workers, int64_t labels);
/* Runs `pass`: statistics (statistics_count entries, overwritten); posteriors (tasks*labels) and
 * labels (tasks) may be NULL. Returns 0, or -1 with error filled. */
int32_t tally_partition_run(const tally_partition *partition, int32_t pass, const double *parameters, int64_t parameter_count,
                            double *statistics, int64_t statistics_count, double *posteriors, int32_t *labels,
                            tally_error *error);

tally_partitioned_fit *tally_partitioned_fit_new(const char *method, const char *options_json, int64_t workers,
                                                 int64_t labels, tally_error *error);
void tally_partitioned_fit_free(tally_partitioned_fit *fit);
/* The pass to run next (once done: the pass giving the reported posteriors). */
int32_t tally_partitioned_fit_pass(const tally_partitioned_fit *fit);
int32_t tally_partitioned_fit_done(const tally_partitioned_fit *fit);
/* Writes up to capacity parameters of that pass; returns their count. */
int64_t tally_partitioned_fit_parameters(const tally_partitioned_fit *fit, double *out, int64_t capacity);
/* Takes the summed statistics: 1 another pass follows, 0 done, -1 error. */
int32_t tally_partitioned_fit_update(tally_partitioned_fit *fit, const double *statistics, int64_t count, tally_error *error);
int64_t tally_partitioned_fit_iterations(const tally_partitioned_fit *fit);
int64_t tally_partitioned_fit_loss_history(const tally_partitioned_fit *fit, double *out, int64_t capacity);
int32_t tally_partitioned_fit_priors(const tally_partitioned_fit *fit, double *out);
int32_t tally_partitioned_fit_skills(const tally_partitioned_fit *fit, double *out);
int32_t tally_partitioned_fit_confusions(const tally_partitioned_fit *fit, double *values, uint8_t *observed);

/* ---- GLAD over partitions of tasks ----
 *
 * Executors: tally_partition_glad_estep writes the partition's posteriors (tasks*labels; labels,
 * the first-max label per task, may be NULL) from the abilities of all workers (alphas, workers)
 * and the partition's task parameters (betas, tasks, in local task order), uniform label priors.
 * tally_partition_glad_likelihood writes the partition's part of the expected log-likelihood
 * (no priors) and every worker's alpha gradient as exact sums into partial (4 + 3*workers int64
 * limbs: NaN terms, then three limbs of the negated likelihood and three per worker, fixed point
 * 2^-64 split at bits 40 and 80), and each task's beta gradient (tasks doubles), under posteriors
 * from the last E-step. Partials are summed element-wise as int64 (fewer than 65,536 of them):
 * integer sums, so any order or reduction tree gives the same bits.
 * Driver: tally_partitioned_glad_fit runs GLAD's EM loop and conjugate gradient (one machine's
 * code, its sums exact) over x = [alpha_0..alpha_{workers-1}, beta_0..beta_{tasks-1}], tasks in
 * any order (say partition after partition), and calls back: kind 0 "the partitions' next E-step
 * uses x" (partial and gradient NULL); kind 1 "evaluate at x": partial (4 + 3*workers, zeroed) =
 * the element-wise sum of the partitions' partials, gradient[workers + t] task t's beta gradient
 * (gradient[0..workers) unused). The result equals one machine's GLAD bit for bit. The callback returns 0, or non-zero to stop the
 * fit (which then returns -1). Outputs: x and estep_x (workers+tasks each: the last M-step's
 * parameters and those of the last E-step, whose posteriors are the reported ones), the loss
 * history (up to loss_capacity), counts[4] = EM iterations, conjugate-gradient iterations,
 * evaluations, failed line searches. options_json as tally_fit's for "glad" ("max-iterations",
 * "tolerance", "stopping", "m-step-iterations", "m-step-tolerance"). Returns 0, or -1 with error. */
typedef int32_t (*tally_glad_callback)(void *context, int32_t kind, const double *x, int64_t count, int64_t *partial, double *gradient);
int32_t tally_partition_glad_estep(const tally_partition *partition, const double *alphas, int64_t workers, const double *betas,
                                   int64_t tasks, double *posteriors, int32_t *labels, tally_error *error);
int32_t tally_partition_glad_likelihood(const tally_partition *partition, const double *alphas, int64_t workers, const double *betas,
                                        int64_t tasks, const double *posteriors, int64_t *partial, double *beta_gradient,
                                        tally_error *error);
int32_t tally_partitioned_glad_fit(const char *options_json, int64_t workers, int64_t tasks, int64_t labels, int64_t answers,
                                   tally_glad_callback callback, void *context, double *x, double *estep_x,
                                   double *loss_history, int64_t loss_capacity, int64_t *counts, tally_error *error);

#ifdef __cplusplus
}
#endif

#endif /* TALLY_H */
