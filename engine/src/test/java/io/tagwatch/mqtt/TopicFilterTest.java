package io.tagwatch.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TopicFilterTest {
    @Test
    void matches_wildcardsPerSpecification() {
        assertThat(TopicFilter.matches("alerts/#", "alerts/centre")).isTrue();
        assertThat(TopicFilter.matches("alerts/#", "alerts")).isTrue();
        assertThat(TopicFilter.matches("alerts/+", "alerts/centre")).isTrue();
        assertThat(TopicFilter.matches("alerts/centre", "alerts/centre")).isTrue();
        assertThat(TopicFilter.matches("alerts/centre", "alerts/harbour")).isFalse();
        assertThat(TopicFilter.matches("alerts/+", "alerts/a/b")).isFalse();
        assertThat(TopicFilter.matches("alerts/cent", "alerts/centre")).isFalse();
        assertThat(TopicFilter.matches("#", "tags/R1/reads")).isTrue();
    }

    @Test
    void alertFilter_allowsOnlyAlertTopicsOneLevelDeep() {
        assertThat(MqttConnectionHandler.alertFilter("alerts/#")).isTrue();
        assertThat(MqttConnectionHandler.alertFilter("alerts/+")).isTrue();
        assertThat(MqttConnectionHandler.alertFilter("alerts/north-west")).isTrue();
        assertThat(MqttConnectionHandler.alertFilter("#")).isFalse();
        assertThat(MqttConnectionHandler.alertFilter("tags/+/reads")).isFalse();
        assertThat(MqttConnectionHandler.alertFilter("alerts/")).isFalse();
        assertThat(MqttConnectionHandler.alertFilter("alerts/a/b")).isFalse();
        assertThat(MqttConnectionHandler.alertFilter("alerts/a#")).isFalse();
    }
}
