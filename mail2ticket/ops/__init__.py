"""Operations insight: drift of served decisions, time series, forecasting and anomaly detection."""
