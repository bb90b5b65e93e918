"""Best time to call: per debtor and hour window of the allowed day (08:00-21:59), the
probability the debtor answers and the probability of a promise to pay, and from them a daily
call plan per open case that keeps the conduct limits.

data       warehouse reads and the labels (the promise label is a documented proxy)
features   slot features from the contact history visible before the slot's day
split      the time-based train / validation / test split
model      the two LightGBM models with Platt calibration
policy     scored slots → ranked windows under the conduct limits
evaluate   replay of schedules on the test period (contacts and promises at equal dials)
pipeline   train + register, score + publish (lake dataset and ml.call_time_recommendations)
"""
